/**
 * The media services the workflow drives, answering in the deploy region: one cheap list call each.
 * A region without the service has no endpoint host (the name does not resolve), or its endpoint
 * does not recognise the caller.
 */
import { type CloudFrontClient, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { ListJobsCommand, type MediaConvertClient } from '@aws-sdk/client-mediaconvert';
import { ListChannelsCommand as ListLiveChannels, type MediaLiveClient } from '@aws-sdk/client-medialive';
import {
  ListChannelsCommand as ListPackageChannels,
  type MediaPackageClient,
} from '@aws-sdk/client-mediapackage';
import { cannotCheck, isServiceMissing } from './aws-errors.js';
import { type CheckResult, fail, ok, warn } from './report.js';

// Regions that have both MediaLive and MediaPackage (v1), from "AWS Elemental MediaLive endpoints
// and quotas" and "AWS Elemental MediaPackage endpoints and quotas" (AWS General Reference).
const MEDIA_REGIONS_EXAMPLE = 'us-east-1, us-west-2, eu-west-1, eu-central-1, ap-northeast-1';

function regionFix(service: string): string {
  return `deploy in a region that offers ${service} (e.g. ${MEDIA_REGIONS_EXAMPLE}): --region <region> or AWS_REGION`;
}

async function probe(
  id: string,
  title: string,
  action: string,
  call: () => Promise<unknown>,
  missing: () => CheckResult,
  answered: string,
): Promise<CheckResult> {
  try {
    await call();
    return ok(id, title, answered);
  } catch (error) {
    if (isServiceMissing(error)) return missing();
    return cannotCheck(id, title, action, error);
  }
}

export function checkMediaLive(medialive: MediaLiveClient, region: string): Promise<CheckResult> {
  const title = `MediaLive (${region})`;
  return probe(
    'medialive',
    title,
    'medialive:ListChannels',
    () => medialive.send(new ListLiveChannels({ MaxResults: 1 })),
    () => fail('medialive', title, `MediaLive is not offered in ${region}`, regionFix('MediaLive')),
    'available',
  );
}

export function checkMediaPackage(mediapackage: MediaPackageClient, region: string): Promise<CheckResult> {
  const title = `MediaPackage v1 (${region})`;
  return probe(
    'mediapackage',
    title,
    'mediapackage:ListChannels',
    () => mediapackage.send(new ListPackageChannels({ MaxResults: 1 })),
    () =>
      fail('mediapackage', title, `MediaPackage (v1) is not offered in ${region}`, regionFix('MediaPackage')),
    'available',
  );
}

/**
 * MediaConvert runs the clips' MP4 exports (the ExportClip workflow). The deploy does not need it,
 * so a region without it is a warning: everything but exports works there.
 */
export function checkMediaConvert(mediaconvert: MediaConvertClient, region: string): Promise<CheckResult> {
  const title = `MediaConvert (${region}, MP4 exports)`;
  return probe(
    'mediaconvert',
    title,
    'mediaconvert:ListJobs',
    () => mediaconvert.send(new ListJobsCommand({ MaxResults: 1 })),
    () =>
      warn(
        'mediaconvert',
        title,
        `MediaConvert is not offered in ${region}: clip exports to MP4 would fail (everything else works)`,
        regionFix('MediaConvert'),
      ),
    'available',
  );
}

/** CloudFront is global: its API lives in us-east-1, whatever the deploy region. */
export function checkCloudFront(cloudfront: CloudFrontClient): Promise<CheckResult> {
  const title = 'CloudFront (using_cloudfront=true)';
  return probe(
    'cloudfront',
    title,
    'cloudfront:ListDistributions',
    () => cloudfront.send(new ListDistributionsCommand({ MaxItems: 1 })),
    () =>
      fail(
        'cloudfront',
        title,
        'the CloudFront API is not reachable',
        'check network access to cloudfront.amazonaws.com, or deploy with -c using_cloudfront=false',
      ),
    'reachable',
  );
}
