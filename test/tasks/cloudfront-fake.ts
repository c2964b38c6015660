/**
 * A live distribution behind a mocked CloudFrontClient: GetDistributionConfig answers the current
 * config and ETag, UpdateDistribution replaces it when IfMatch is the current ETag (else
 * PreconditionFailed, as CloudFront does) and moves the ETag on.
 */

import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import {
  type CacheBehavior,
  type DistributionConfig,
  GetDistributionConfigCommand,
  type Origin,
  PreconditionFailed,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export const DISTRIBUTION = {
  id: 'E2LIVE0000TEST',
  baseUrl: 'https://live.example.com/',
  cachePolicyId: '11111111-2222-3333-4444-555555555555',
};

export function anOrigin(id: string): Origin {
  return {
    Id: id,
    DomainName: `${id}.mediapackage.us-east-1.amazonaws.com`,
    OriginPath: '',
    CustomHeaders: { Quantity: 0, Items: [] },
    CustomOriginConfig: {
      HTTPPort: 80,
      HTTPSPort: 443,
      OriginProtocolPolicy: 'https-only',
      OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
    },
  };
}

export function aBehaviour(originId: string, pathPattern: string): CacheBehavior {
  return {
    PathPattern: pathPattern,
    TargetOriginId: originId,
    ViewerProtocolPolicy: 'redirect-to-https',
    CachePolicyId: DISTRIBUTION.cachePolicyId,
  };
}

/** A distribution as the CDK app creates it: a placeholder default origin, nothing else. */
export function baseConfig(origins: Origin[] = [], behaviours: CacheBehavior[] = []): DistributionConfig {
  const all = [anOrigin('default'), ...origins];
  return {
    CallerReference: 'live-distribution',
    Comment: 'live',
    Enabled: true,
    Origins: { Quantity: all.length, Items: all },
    DefaultCacheBehavior: {
      TargetOriginId: 'default',
      ViewerProtocolPolicy: 'redirect-to-https',
      CachePolicyId: DISTRIBUTION.cachePolicyId,
    },
    CacheBehaviors: { Quantity: behaviours.length, Items: behaviours },
  };
}

export interface FakeDistribution {
  config(): DistributionConfig;
  etag(): string;
  /** What a concurrent writer does: the config stays, the ETag moves on. */
  touch(): void;
}

export function fakeDistribution(
  cf: AwsClientStub<CloudFrontClient>,
  initial: DistributionConfig,
): FakeDistribution {
  let config = structuredClone(initial);
  let version = 1;
  cf.on(GetDistributionConfigCommand).callsFake(() => ({
    ETag: `E${version}`,
    DistributionConfig: structuredClone(config),
  }));
  cf.on(UpdateDistributionCommand).callsFake(
    (input: { IfMatch?: string; DistributionConfig?: DistributionConfig }) => {
      if (input.IfMatch !== `E${version}`) {
        throw new PreconditionFailed({
          message: 'The request failed because it didn’t meet the preconditions',
          $metadata: {},
        });
      }
      config = structuredClone(input.DistributionConfig ?? config);
      version += 1;
      return { ETag: `E${version}`, Distribution: { Id: DISTRIBUTION.id } };
    },
  );
  return {
    config: () => config,
    etag: () => `E${version}`,
    touch: () => {
      version += 1;
    },
  };
}
