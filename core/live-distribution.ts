/**
 * GoLive / EndLive: add or remove a stream's MediaPackage origin and cache behaviour on the live
 * distribution. CloudFront updates replace the whole config and need its current ETag; a concurrent
 * update makes ours fail with PreconditionFailed, so we read again and retry (bounded).
 */
import {
  type CacheBehavior,
  type CloudFrontClient,
  type DistributionConfig,
  GetDistributionConfigCommand,
  type Origin,
  PreconditionFailed,
  TooManyCacheBehaviors,
  TooManyOrigins,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { DistributionQuotaReached, FeatureNotConfigured, MissingResource } from './errors.js';
import type { StreamRecord } from './stream.js';

const MAX_ATTEMPTS = 5;

export interface LiveDistribution {
  id: string;
  /** Base URL viewers use, e.g. `https://live.example.com`. */
  baseUrl: string;
  cachePolicyId: string;
}

export const originId = (streamId: string) => `live-${streamId}`;

/** The parts of a MediaPackage endpoint URL the CDN needs: host, and the `/out/v1/<hash>` folder. */
export function endpointParts(viewerEndpoint: string): { url: URL; folder: string; manifest: string } {
  const url = new URL(viewerEndpoint);
  const cut = url.pathname.lastIndexOf('/');
  return { url, folder: url.pathname.slice(0, cut), manifest: url.pathname.slice(cut + 1) };
}

function originFor(record: StreamRecord, endpoint: URL): Origin {
  const https = endpoint.protocol === 'https:';
  const port = endpoint.port ? Number(endpoint.port) : https ? 443 : 80;
  return {
    Id: originId(record.id),
    DomainName: endpoint.hostname,
    OriginPath: '',
    CustomHeaders: { Quantity: 0, Items: [] },
    CustomOriginConfig: {
      HTTPPort: https ? 80 : port,
      HTTPSPort: https ? port : 443,
      OriginProtocolPolicy: https ? 'https-only' : 'http-only',
      OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
      OriginReadTimeout: 30,
      OriginKeepaliveTimeout: 5,
    },
    ConnectionAttempts: 3,
    ConnectionTimeout: 10,
  };
}

function behaviourFor(record: StreamRecord, folder: string, cachePolicyId: string): CacheBehavior {
  return {
    PathPattern: `${folder}/*`,
    TargetOriginId: originId(record.id),
    ViewerProtocolPolicy: 'redirect-to-https',
    CachePolicyId: cachePolicyId,
    Compress: true,
    AllowedMethods: {
      Quantity: 3,
      Items: ['GET', 'HEAD', 'OPTIONS'],
      CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] },
    },
    SmoothStreaming: false,
    FieldLevelEncryptionId: '',
    LambdaFunctionAssociations: { Quantity: 0, Items: [] },
    FunctionAssociations: { Quantity: 0, Items: [] },
  };
}

async function changeConfig(
  cloudfront: CloudFrontClient,
  distributionId: string,
  change: (config: DistributionConfig) => boolean,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = await cloudfront.send(new GetDistributionConfigCommand({ Id: distributionId }));
    const config = current.DistributionConfig;
    if (!config) throw new Error(`distribution ${distributionId} answered without a config`);
    if (!change(config)) return;
    try {
      await cloudfront.send(
        new UpdateDistributionCommand({
          Id: distributionId,
          IfMatch: current.ETag,
          DistributionConfig: config,
        }),
      );
      return;
    } catch (error) {
      if (error instanceof PreconditionFailed && attempt < MAX_ATTEMPTS) continue;
      // The quotas per distribution are adjustable and have changed over time (CloudFront quotas),
      // so the distribution itself says when it is full, never a constant here.
      if (error instanceof TooManyOrigins || error instanceof TooManyCacheBehaviors) {
        const what = error instanceof TooManyOrigins ? 'origins' : 'cache behaviours';
        throw new DistributionQuotaReached(
          `the live distribution has as many ${what} as its CloudFront quota allows (${error.message}); take another stream off the CDN, or raise the quota in Service Quotas`,
        );
      }
      throw error;
    }
  }
}

export async function associate(
  cloudfront: CloudFrontClient,
  distribution: LiveDistribution | undefined,
  record: StreamRecord,
): Promise<{ viewer_endpoint_cloudfront: string }> {
  if (!distribution)
    throw new FeatureNotConfigured('cloudfront', 'this deployment has no live CloudFront distribution');
  if (!record.viewer_endpoint) throw new MissingResource(`stream ${record.id} has no origin endpoint`);
  const { url, folder, manifest } = endpointParts(record.viewer_endpoint);
  await changeConfig(cloudfront, distribution.id, (config) => {
    const origins = config.Origins?.Items ?? [];
    const behaviours = config.CacheBehaviors?.Items ?? [];
    const hasOrigin = origins.some((o) => o.Id === originId(record.id));
    const hasBehaviour = behaviours.some((b) => b.PathPattern === `${folder}/*`);
    if (hasOrigin && hasBehaviour) return false;
    const nextOrigins = hasOrigin ? origins : [...origins, originFor(record, url)];
    const nextBehaviours = hasBehaviour
      ? behaviours
      : [...behaviours, behaviourFor(record, folder, distribution.cachePolicyId)];
    config.Origins = { Quantity: nextOrigins.length, Items: nextOrigins };
    config.CacheBehaviors = { Quantity: nextBehaviours.length, Items: nextBehaviours };
    return true;
  });
  return { viewer_endpoint_cloudfront: `${distribution.baseUrl.replace(/\/$/, '')}${folder}/${manifest}` };
}

export async function dissociate(
  cloudfront: CloudFrontClient,
  distribution: LiveDistribution | undefined,
  record: StreamRecord,
): Promise<void> {
  if (!distribution) return;
  const folder = record.viewer_endpoint ? endpointParts(record.viewer_endpoint).folder : undefined;
  await changeConfig(cloudfront, distribution.id, (config) => {
    const origins = config.Origins?.Items ?? [];
    const behaviours = config.CacheBehaviors?.Items ?? [];
    const keptOrigins = origins.filter((o) => o.Id !== originId(record.id));
    const keptBehaviours = behaviours.filter(
      (b) =>
        b.TargetOriginId !== originId(record.id) && (folder === undefined || b.PathPattern !== `${folder}/*`),
    );
    if (keptOrigins.length === origins.length && keptBehaviours.length === behaviours.length) return false;
    config.Origins = { Quantity: keptOrigins.length, Items: keptOrigins };
    config.CacheBehaviors = { Quantity: keptBehaviours.length, Items: keptBehaviours };
    return true;
  });
}
