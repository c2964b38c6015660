import {
  GetDistributionConfigCommand,
  PreconditionFailed,
  TooManyCacheBehaviors,
  TooManyOrigins,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DistributionQuotaReached, FeatureNotConfigured, MissingResource } from '../../../core/errors.js';
import { goLive } from '../../../tasks/go-live/go-live.js';
import { anIdleStream } from '../../support/builders.js';
import { aBehaviour, anOrigin, baseConfig, DISTRIBUTION, fakeDistribution } from '../cloudfront-fake.js';
import { inputsOf, modelProblems, newCloudFront, type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
const cloudfront = newCloudFront();
const cf = mockClient(cloudfront);

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());
beforeEach(() => cf.reset());

const HASH = '0123456789abcdef0123456789abcdef';
const ENDPOINT = `https://abc.mediapackage.us-east-1.amazonaws.com/out/v1/${HASH}/index.m3u8`;
const deps = () => ({ cloudfront, store: fx.store, distribution: DISTRIBUTION });
const aLiveReadyStream = () => fx.seed(anIdleStream({ status: 'RUNNING', viewer_endpoint: ENDPOINT }));

describe('goLive', () => {
  it("adds the stream's origin and cache behaviour with the ETag it read, and records the CDN URL", async () => {
    const record = await aLiveReadyStream();
    const other = [anOrigin('live-OTHER')];
    const otherBehaviour = [aBehaviour('live-OTHER', '/out/v1/other/*')];
    const dist = fakeDistribution(cf, baseConfig(other, otherBehaviour));

    const out = await goLive(deps(), { stream_id: record.id });

    expect(out).toEqual({ viewer_endpoint_cloudfront: `https://live.example.com/out/v1/${HASH}/index.m3u8` });
    expect(inputsOf(cf, GetDistributionConfigCommand)).toEqual([{ Id: DISTRIBUTION.id }]);
    expect(cf).toHaveReceivedCommandTimes(UpdateDistributionCommand, 1);
    const [sent] = inputsOf(cf, UpdateDistributionCommand);
    expect(sent?.Id).toBe(DISTRIBUTION.id);
    expect(sent?.IfMatch).toBe('E1');
    expect(sent?.DistributionConfig?.Origins?.Quantity).toBe(3);
    expect(sent?.DistributionConfig?.Origins?.Items?.[2]).toEqual({
      Id: `live-${record.id}`,
      DomainName: 'abc.mediapackage.us-east-1.amazonaws.com',
      OriginPath: '',
      CustomHeaders: { Quantity: 0, Items: [] },
      CustomOriginConfig: {
        HTTPPort: 80,
        HTTPSPort: 443,
        OriginProtocolPolicy: 'https-only',
        OriginSslProtocols: { Quantity: 1, Items: ['TLSv1.2'] },
        OriginReadTimeout: 30,
        OriginKeepaliveTimeout: 5,
      },
      ConnectionAttempts: 3,
      ConnectionTimeout: 10,
    });
    expect(sent?.DistributionConfig?.CacheBehaviors).toEqual({
      Quantity: 2,
      Items: [
        otherBehaviour[0],
        {
          PathPattern: `/out/v1/${HASH}/*`,
          TargetOriginId: `live-${record.id}`,
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: DISTRIBUTION.cachePolicyId,
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
        },
      ],
    });
    // Everything else of the distribution goes back unchanged.
    expect({ ...sent?.DistributionConfig, Origins: undefined, CacheBehaviors: undefined }).toEqual({
      ...baseConfig(),
      Origins: undefined,
      CacheBehaviors: undefined,
    });
    expect(modelProblems('cloudfront', 'UpdateDistribution', sent)).toBe('');
    expect(dist.config().Origins?.Items?.map((o) => o.Id)).toEqual([
      'default',
      'live-OTHER',
      `live-${record.id}`,
    ]);
    const read = await fx.store.get(record.id);
    expect(read.cloudfront_associated).toBe(true);
    expect(read.viewer_endpoint_cloudfront).toBe(out.viewer_endpoint_cloudfront);
  });

  it('adds no duplicate origin or behaviour on a second GoLive', async () => {
    const record = await aLiveReadyStream();
    const dist = fakeDistribution(cf, baseConfig());

    await goLive(deps(), { stream_id: record.id });
    const again = await goLive(deps(), { stream_id: record.id });

    expect(again.viewer_endpoint_cloudfront).toBe(`https://live.example.com/out/v1/${HASH}/index.m3u8`);
    expect(cf).toHaveReceivedCommandTimes(GetDistributionConfigCommand, 2);
    expect(cf).toHaveReceivedCommandTimes(UpdateDistributionCommand, 1);
    expect(dist.config().Origins?.Items?.filter((o) => o.Id === `live-${record.id}`)).toHaveLength(1);
    expect(dist.config().CacheBehaviors?.Quantity).toBe(1);
  });

  it('adds only the missing behaviour when the origin is already there', async () => {
    const record = await aLiveReadyStream();
    const dist = fakeDistribution(cf, baseConfig([anOrigin(`live-${record.id}`)]));

    await goLive(deps(), { stream_id: record.id });

    expect(dist.config().Origins?.Quantity).toBe(2);
    expect(dist.config().CacheBehaviors?.Items?.map((b) => b.PathPattern)).toEqual([`/out/v1/${HASH}/*`]);
  });

  it('reads the config again and retries with the new ETag after PreconditionFailed', async () => {
    const record = await aLiveReadyStream();
    const dist = fakeDistribution(cf, baseConfig());
    // Another writer changes the distribution between our read and our update, once.
    cf.on(GetDistributionConfigCommand)
      .callsFakeOnce(() => {
        const answer = { ETag: dist.etag(), DistributionConfig: structuredClone(dist.config()) };
        dist.touch();
        return answer;
      })
      .callsFake(() => ({ ETag: dist.etag(), DistributionConfig: structuredClone(dist.config()) }));

    await goLive(deps(), { stream_id: record.id });

    expect(cf).toHaveReceivedCommandTimes(GetDistributionConfigCommand, 2);
    expect(inputsOf(cf, UpdateDistributionCommand).map((i) => i.IfMatch)).toEqual(['E1', 'E2']);
    expect(dist.config().Origins?.Items?.some((o) => o.Id === `live-${record.id}`)).toBe(true);
    expect((await fx.store.get(record.id)).cloudfront_associated).toBe(true);
  });

  it('gives up with PreconditionFailed after 5 lost races, leaving the record untouched', async () => {
    const record = await aLiveReadyStream();
    fakeDistribution(cf, baseConfig());
    cf.on(UpdateDistributionCommand).rejects(new PreconditionFailed({ message: 'etag', $metadata: {} }));

    await expect(goLive(deps(), { stream_id: record.id })).rejects.toThrow(PreconditionFailed);
    expect(cf).toHaveReceivedCommandTimes(UpdateDistributionCommand, 5);
    expect((await fx.store.get(record.id)).cloudfront_associated).toBe(false);
  });

  it('asks CloudFront even with 25 origins and 25 behaviours there: the quota is adjustable, not a constant', async () => {
    const record = await aLiveReadyStream();
    const origins = Array.from({ length: 25 }, (_, i) => anOrigin(`live-S${i}`));
    const behaviours = Array.from({ length: 25 }, (_, i) => aBehaviour(`live-S${i}`, `/b${i}/*`));
    fakeDistribution(cf, baseConfig(origins, behaviours));

    await goLive(deps(), { stream_id: record.id });

    expect(cf).toHaveReceivedCommandTimes(UpdateDistributionCommand, 1);
    expect((await fx.store.get(record.id)).cloudfront_associated).toBe(true);
  });

  it.each([
    ['TooManyOrigins', () => new TooManyOrigins({ message: 'origins quota', $metadata: {} })],
    [
      'TooManyCacheBehaviors',
      () => new TooManyCacheBehaviors({ message: 'behaviours quota', $metadata: {} }),
    ],
  ] as const)(
    'turns CloudFront %s (a raised or lowered quota) into DistributionQuotaReached',
    async (_, error) => {
      const record = await aLiveReadyStream();
      fakeDistribution(cf, baseConfig());
      cf.on(UpdateDistributionCommand).rejects(error());

      await expect(goLive(deps(), { stream_id: record.id })).rejects.toThrow(DistributionQuotaReached);
      expect(cf).toHaveReceivedCommandTimes(UpdateDistributionCommand, 1);
    },
  );

  it('fronts a plain-HTTP origin (local mode) on its own port with http-only', async () => {
    const record = await fx.seed(
      anIdleStream({ viewer_endpoint: 'http://127.0.0.1:9000/out/v1/local/index.m3u8' }),
    );
    const dist = fakeDistribution(cf, baseConfig());

    const out = await goLive(deps(), { stream_id: record.id });

    const origin = dist.config().Origins?.Items?.find((o) => o.Id === `live-${record.id}`);
    expect(origin?.DomainName).toBe('127.0.0.1');
    expect(origin?.CustomOriginConfig).toMatchObject({ HTTPPort: 9000, OriginProtocolPolicy: 'http-only' });
    expect(out.viewer_endpoint_cloudfront).toBe('https://live.example.com/out/v1/local/index.m3u8');
  });

  it('throws FeatureNotConfigured when the deployment has no live distribution', async () => {
    const record = await aLiveReadyStream();

    await expect(goLive({ ...deps(), distribution: undefined }, { stream_id: record.id })).rejects.toThrow(
      FeatureNotConfigured,
    );
    expect(cf).not.toHaveReceivedAnyCommand();
  });

  it('throws MissingResource for a stream without an origin endpoint', async () => {
    const record = await fx.seed(anIdleStream({ viewer_endpoint: null }));

    await expect(goLive(deps(), { stream_id: record.id })).rejects.toThrow(MissingResource);
    expect(cf).not.toHaveReceivedAnyCommand();
  });
});
