import {
  type CacheBehavior,
  CloudFrontServiceException,
  type DistributionConfig,
  GetDistributionConfigCommand,
  IllegalUpdate,
  InconsistentQuantities,
  InvalidArgument,
  InvalidIfMatchVersion,
  ListCloudFrontOriginAccessIdentitiesCommand,
  NoSuchDistribution,
  NoSuchOrigin,
  type Origin,
  PreconditionFailed,
  TooManyCacheBehaviors,
  TooManyOrigins,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DISTRIBUTION, type Harness, startHarness, wireProblems } from './control-plane-harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  try {
    expect(wireProblems(h.exchanges)).toEqual([]);
  } finally {
    await h.close();
  }
});

const origin = (id: string): Origin => ({
  Id: id,
  DomainName: '127.0.0.1',
  OriginPath: '',
  CustomHeaders: { Quantity: 0, Items: [] },
  CustomOriginConfig: {
    HTTPPort: 8080,
    HTTPSPort: 443,
    OriginProtocolPolicy: 'http-only',
    OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
  },
});

const behaviour = (hash: string, originId: string): CacheBehavior => ({
  PathPattern: `/out/v1/${hash}/*`,
  TargetOriginId: originId,
  ViewerProtocolPolicy: 'redirect-to-https',
  CachePolicyId: '08627262-05a9-4f76-9ded-b50ca2e3a84f',
  AllowedMethods: {
    Quantity: 3,
    Items: ['GET', 'HEAD', 'OPTIONS'],
    CachedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] },
  },
  LambdaFunctionAssociations: { Quantity: 0, Items: [] },
  FunctionAssociations: { Quantity: 0, Items: [] },
});

async function readConfig() {
  const out = await h.cloudfront.send(new GetDistributionConfigCommand({ Id: DISTRIBUTION.id }));
  return { config: out.DistributionConfig as DistributionConfig, etag: out.ETag };
}

function withStreams(config: DistributionConfig, count: number, behaviours = count): DistributionConfig {
  const origins = [...(config.Origins?.Items ?? [])];
  const added: CacheBehavior[] = [];
  for (let i = 0; i < count; i++) origins.push(origin(`live-${i}`));
  for (let i = 0; i < behaviours; i++)
    added.push(behaviour(i.toString(16).padStart(32, '0'), `live-${i % count}`));
  return {
    ...config,
    Origins: { Quantity: origins.length, Items: origins },
    CacheBehaviors: { Quantity: added.length, Items: added },
  };
}

describe('CloudFront live distribution', () => {
  it('exists from startup, with one default origin and no cache behaviours', async () => {
    const { config, etag } = await readConfig();
    expect(etag).toMatch(/^E[A-Z0-9]{13}$/);
    expect(config.Origins?.Quantity).toBe(1);
    expect(config.Origins?.Items?.[0]?.DomainName).toBe('127.0.0.1');
    expect(config.Origins?.Items?.[0]?.CustomOriginConfig?.HTTPPort).toBe(8080);
    expect(config.CacheBehaviors).toEqual({ Quantity: 0 });
    expect(config.DefaultCacheBehavior?.TargetOriginId).toBe(config.Origins?.Items?.[0]?.Id);
    expect(config.Enabled).toBe(true);
    expect(config.Comment).toBe('live');
  });

  it('applies an update made with the current ETag and answers a new ETag', async () => {
    const { config, etag } = await readConfig();
    const next = withStreams(config, 1);
    const updated = await h.cloudfront.send(
      new UpdateDistributionCommand({ Id: DISTRIBUTION.id, IfMatch: etag, DistributionConfig: next }),
    );
    expect(updated.ETag).toMatch(/^E[A-Z0-9]{13}$/);
    expect(updated.ETag).not.toBe(etag);
    expect(updated.Distribution).toMatchObject({
      Id: DISTRIBUTION.id,
      ARN: `arn:aws:cloudfront::000000000000:distribution/${DISTRIBUTION.id}`,
      DomainName: DISTRIBUTION.domainName,
      Status: 'Deployed',
    });
    expect(updated.Distribution?.LastModifiedTime).toBeInstanceOf(Date);
    expect(updated.Distribution?.DistributionConfig?.Origins?.Quantity).toBe(2);
    const reread = await readConfig();
    expect(reread.etag).toBe(updated.ETag);
    expect(reread.config.Origins?.Items?.map((o) => o.Id)).toEqual(['default-origin', 'live-0']);
    expect(reread.config.CacheBehaviors?.Items?.[0]).toEqual({
      ...behaviour('0'.padStart(32, '0'), 'live-0'),
      // The SDK reads an empty Items list back as absent, as it does from AWS.
      LambdaFunctionAssociations: { Quantity: 0 },
      FunctionAssociations: { Quantity: 0 },
    });
  });

  it('keeps text with XML special characters intact', async () => {
    const { config, etag } = await readConfig();
    await h.cloudfront.send(
      new UpdateDistributionCommand({
        Id: DISTRIBUTION.id,
        IfMatch: etag,
        DistributionConfig: { ...config, Comment: 'live <&> "quoted" \'007\'' },
      }),
    );
    expect((await readConfig()).config.Comment).toBe('live <&> "quoted" \'007\'');
  });

  it('answers a stale ETag with PreconditionFailed and keeps the config', async () => {
    const { config, etag } = await readConfig();
    await h.cloudfront.send(
      new UpdateDistributionCommand({
        Id: DISTRIBUTION.id,
        IfMatch: etag,
        DistributionConfig: withStreams(config, 1),
      }),
    );
    await expect(
      h.cloudfront.send(
        new UpdateDistributionCommand({
          Id: DISTRIBUTION.id,
          IfMatch: etag,
          DistributionConfig: withStreams(config, 2),
        }),
      ),
    ).rejects.toThrow(PreconditionFailed);
    expect((await readConfig()).config.Origins?.Quantity).toBe(2);
  });

  it('answers a missing If-Match with InvalidIfMatchVersion', async () => {
    const { config } = await readConfig();
    await expect(
      h.cloudfront.send(new UpdateDistributionCommand({ Id: DISTRIBUTION.id, DistributionConfig: config })),
    ).rejects.toThrow(InvalidIfMatchVersion);
  });

  it('enforces the default quota of 25 origins with TooManyOrigins', async () => {
    const { config, etag } = await readConfig();
    await h.cloudfront.send(
      new UpdateDistributionCommand({
        Id: DISTRIBUTION.id,
        IfMatch: etag,
        DistributionConfig: withStreams(config, 24),
      }),
    );
    const full = await readConfig();
    expect(full.config.Origins?.Quantity).toBe(25);
    await expect(
      h.cloudfront.send(
        new UpdateDistributionCommand({
          Id: DISTRIBUTION.id,
          IfMatch: full.etag,
          DistributionConfig: withStreams(config, 25),
        }),
      ),
    ).rejects.toThrow(TooManyOrigins);
  });

  it('enforces the default quota of 25 cache behaviours with TooManyCacheBehaviors', async () => {
    const { config, etag } = await readConfig();
    await h.cloudfront.send(
      new UpdateDistributionCommand({
        Id: DISTRIBUTION.id,
        IfMatch: etag,
        DistributionConfig: withStreams(config, 5, 25),
      }),
    );
    const full = await readConfig();
    await expect(
      h.cloudfront.send(
        new UpdateDistributionCommand({
          Id: DISTRIBUTION.id,
          IfMatch: full.etag,
          DistributionConfig: withStreams(config, 5, 26),
        }),
      ),
    ).rejects.toThrow(TooManyCacheBehaviors);
  });

  it('refuses duplicate origin ids with InvalidArgument', async () => {
    const { config, etag } = await readConfig();
    const next = withStreams(config, 1);
    const items = [...(next.Origins?.Items ?? []), origin('live-0')];
    next.Origins = { Quantity: items.length, Items: items };
    await expect(
      h.cloudfront.send(
        new UpdateDistributionCommand({ Id: DISTRIBUTION.id, IfMatch: etag, DistributionConfig: next }),
      ),
    ).rejects.toThrow(InvalidArgument);
  });

  it('refuses a cache behaviour whose target origin does not exist with NoSuchOrigin', async () => {
    const { config, etag } = await readConfig();
    const next = {
      ...config,
      CacheBehaviors: { Quantity: 1, Items: [behaviour('a'.repeat(32), 'missing')] },
    };
    await expect(
      h.cloudfront.send(
        new UpdateDistributionCommand({ Id: DISTRIBUTION.id, IfMatch: etag, DistributionConfig: next }),
      ),
    ).rejects.toThrow(NoSuchOrigin);
  });

  it('refuses a Quantity that does not match Items with InconsistentQuantities', async () => {
    const { config, etag } = await readConfig();
    const next = { ...config, Origins: { Quantity: 2, Items: config.Origins?.Items ?? [] } };
    await expect(
      h.cloudfront.send(
        new UpdateDistributionCommand({ Id: DISTRIBUTION.id, IfMatch: etag, DistributionConfig: next }),
      ),
    ).rejects.toThrow(InconsistentQuantities);
  });

  it('refuses a changed CallerReference with IllegalUpdate', async () => {
    const { config, etag } = await readConfig();
    await expect(
      h.cloudfront.send(
        new UpdateDistributionCommand({
          Id: DISTRIBUTION.id,
          IfMatch: etag,
          DistributionConfig: { ...config, CallerReference: 'other' },
        }),
      ),
    ).rejects.toThrow(IllegalUpdate);
  });

  it('answers an unknown distribution with NoSuchDistribution', async () => {
    await expect(h.cloudfront.send(new GetDistributionConfigCommand({ Id: 'EUNKNOWN' }))).rejects.toThrow(
      NoSuchDistribution,
    );
  });

  it('answers an unimplemented CloudFront operation with an XML client error the SDK reads', async () => {
    const error = await h.cloudfront
      .send(new ListCloudFrontOriginAccessIdentitiesCommand({}))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudFrontServiceException);
    expect((error as Error).name).toBe('UnknownOperationException');
    // Not a modelled error: keep it out of the model check.
    h.exchanges.splice(0);
  });
});
