import { ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { ForbiddenException as ConvertForbidden, ListJobsCommand } from '@aws-sdk/client-mediaconvert';
import { ForbiddenException, ListChannelsCommand as ListLiveChannels } from '@aws-sdk/client-medialive';
import {
  ListChannelsCommand as ListPackageChannels,
  ForbiddenException as PackageForbidden,
} from '@aws-sdk/client-mediapackage';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkCloudFront,
  checkMediaConvert,
  checkMediaLive,
  checkMediaPackage,
} from '../../../infra/aws/doctor/services.js';
import { accessDeniedMessage, dnsFailure, mockedClients } from './doctor-harness.js';

let m: ReturnType<typeof mockedClients>;
beforeEach(() => {
  m = mockedClients('ap-southeast-4');
});

describe('checkMediaLive', () => {
  it('is ok when MediaLive answers a one-item list', async () => {
    m.medialive.on(ListLiveChannels).resolves({ Channels: [] });
    expect(await checkMediaLive(m.clients.regional.medialive, 'eu-west-1')).toEqual({
      id: 'medialive',
      title: 'MediaLive (eu-west-1)',
      verdict: 'ok',
      detail: 'available',
    });
    expect(m.medialive).toHaveReceivedCommandWith(ListLiveChannels, { MaxResults: 1 });
  });

  it('fails with a region that has it when the endpoint does not resolve', async () => {
    m.medialive.on(ListLiveChannels).rejects(dnsFailure('medialive.xx-east-9.amazonaws.com'));
    const result = await checkMediaLive(m.clients.regional.medialive, 'xx-east-9');
    expect(result).toMatchObject({ verdict: 'fail', detail: 'MediaLive is not offered in xx-east-9' });
    expect(result.fix).toBe(
      'deploy in a region that offers MediaLive (e.g. us-east-1, us-west-2, eu-west-1, eu-central-1, ap-northeast-1): --region <region> or AWS_REGION',
    );
  });

  it('fails when the endpoint does not recognise the client', async () => {
    m.medialive.on(ListLiveChannels).rejects(
      Object.assign(new Error('The security token included in the request is invalid'), {
        name: 'UnrecognizedClientException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    expect((await checkMediaLive(m.clients.regional.medialive, 'il-central-1')).verdict).toBe('fail');
  });

  it('warns, naming medialive:ListChannels, when the call is denied', async () => {
    m.medialive
      .on(ListLiveChannels)
      .rejects(
        new ForbiddenException({ message: accessDeniedMessage('medialive:ListChannels'), $metadata: {} }),
      );
    const result = await checkMediaLive(m.clients.regional.medialive, 'eu-west-1');
    expect(result).toMatchObject({
      verdict: 'warn',
      detail: 'could not check: medialive:ListChannels was denied (ForbiddenException)',
      fix: 'allow medialive:ListChannels to the principal running the doctor (a read-only permission), then run it again',
    });
  });
});

describe('checkMediaPackage', () => {
  it('is ok when MediaPackage answers', async () => {
    m.mediapackage.on(ListPackageChannels).resolves({ Channels: [] });
    expect((await checkMediaPackage(m.clients.regional.mediapackage, 'eu-west-1')).verdict).toBe('ok');
    expect(m.mediapackage).toHaveReceivedCommandWith(ListPackageChannels, { MaxResults: 1 });
  });

  it('fails when MediaPackage v1 has no endpoint in the region', async () => {
    m.mediapackage.on(ListPackageChannels).rejects(dnsFailure('mediapackage.xx-east-9.amazonaws.com'));
    expect(await checkMediaPackage(m.clients.regional.mediapackage, 'xx-east-9')).toMatchObject({
      verdict: 'fail',
      detail: 'MediaPackage (v1) is not offered in xx-east-9',
    });
  });

  it('warns when denied', async () => {
    m.mediapackage
      .on(ListPackageChannels)
      .rejects(
        new PackageForbidden({ message: accessDeniedMessage('mediapackage:ListChannels'), $metadata: {} }),
      );
    expect((await checkMediaPackage(m.clients.regional.mediapackage, 'eu-west-1')).detail).toBe(
      'could not check: mediapackage:ListChannels was denied (ForbiddenException)',
    );
  });
});

describe('checkMediaConvert', () => {
  it('is ok when MediaConvert answers a one-job list', async () => {
    m.mediaconvert.on(ListJobsCommand).resolves({ Jobs: [] });
    expect(await checkMediaConvert(m.clients.regional.mediaconvert, 'eu-west-1')).toEqual({
      id: 'mediaconvert',
      title: 'MediaConvert (eu-west-1, MP4 exports)',
      verdict: 'ok',
      detail: 'available',
    });
    expect(m.mediaconvert).toHaveReceivedCommandWith(ListJobsCommand, { MaxResults: 1 });
  });

  it('warns, not fails, where MediaConvert has no endpoint: only exports need it', async () => {
    m.mediaconvert.on(ListJobsCommand).rejects(dnsFailure('mediaconvert.xx-east-9.amazonaws.com'));
    const result = await checkMediaConvert(m.clients.regional.mediaconvert, 'xx-east-9');
    expect(result).toMatchObject({
      verdict: 'warn',
      detail:
        'MediaConvert is not offered in xx-east-9: clip exports to MP4 would fail (everything else works)',
    });
    expect(result.fix).toContain('deploy in a region that offers MediaConvert');
  });

  it('warns naming the action when denied', async () => {
    m.mediaconvert
      .on(ListJobsCommand)
      .rejects(
        new ConvertForbidden({ message: accessDeniedMessage('mediaconvert:ListJobs'), $metadata: {} }),
      );
    expect((await checkMediaConvert(m.clients.regional.mediaconvert, 'eu-west-1')).detail).toBe(
      'could not check: mediaconvert:ListJobs was denied (ForbiddenException)',
    );
  });
});

describe('checkCloudFront', () => {
  it('is ok when CloudFront answers', async () => {
    m.usEast1.cloudfront.on(ListDistributionsCommand).resolves({
      DistributionList: { Marker: '', MaxItems: 1, IsTruncated: false, Quantity: 0 },
    });
    expect(await checkCloudFront(m.clients.usEast1.cloudfront)).toMatchObject({
      verdict: 'ok',
      detail: 'reachable',
    });
  });

  it('fails when CloudFront cannot be resolved', async () => {
    m.usEast1.cloudfront.on(ListDistributionsCommand).rejects(dnsFailure('cloudfront.amazonaws.com'));
    expect(await checkCloudFront(m.clients.usEast1.cloudfront)).toMatchObject({
      verdict: 'fail',
      fix: 'check network access to cloudfront.amazonaws.com, or deploy with -c using_cloudfront=false',
    });
  });
});
