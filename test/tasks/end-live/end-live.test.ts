import {
  GetDistributionConfigCommand,
  PreconditionFailed,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { endLive } from '../../../tasks/end-live/end-live.js';
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

const HASH = 'fedcba9876543210fedcba9876543210';
const ENDPOINT = `https://abc.mediapackage.us-east-1.amazonaws.com/out/v1/${HASH}/index.m3u8`;
const deps = () => ({ cloudfront, store: fx.store, distribution: DISTRIBUTION });
const anAssociatedStream = () =>
  fx.seed(
    anIdleStream({
      status: 'RUNNING',
      viewer_endpoint: ENDPOINT,
      cloudfront_associated: true,
      viewer_endpoint_cloudfront: `https://live.example.com/out/v1/${HASH}/index.m3u8`,
    }),
  );

describe('endLive', () => {
  it("removes the stream's origin and behaviour with the ETag it read, keeping the other streams'", async () => {
    const record = await anAssociatedStream();
    const dist = fakeDistribution(
      cf,
      baseConfig(
        [anOrigin('live-OTHER'), anOrigin(`live-${record.id}`)],
        [aBehaviour('live-OTHER', '/out/v1/other/*'), aBehaviour(`live-${record.id}`, `/out/v1/${HASH}/*`)],
      ),
    );

    expect(await endLive(deps(), { stream_id: record.id })).toEqual({ cloudfront_associated: false });

    expect(inputsOf(cf, GetDistributionConfigCommand)).toEqual([{ Id: DISTRIBUTION.id }]);
    const [sent] = inputsOf(cf, UpdateDistributionCommand);
    expect(sent?.IfMatch).toBe('E1');
    expect(sent?.DistributionConfig?.Origins).toEqual({
      Quantity: 2,
      Items: [anOrigin('default'), anOrigin('live-OTHER')],
    });
    expect(sent?.DistributionConfig?.CacheBehaviors).toEqual({
      Quantity: 1,
      Items: [aBehaviour('live-OTHER', '/out/v1/other/*')],
    });
    expect(modelProblems('cloudfront', 'UpdateDistribution', sent)).toBe('');
    expect(dist.config().Origins?.Quantity).toBe(2);
    const read = await fx.store.get(record.id);
    expect(read.cloudfront_associated).toBe(false);
    expect(read.viewer_endpoint_cloudfront).toBeNull();
  });

  it('removes a behaviour left on our path even when it points at another origin id', async () => {
    const record = await anAssociatedStream();
    const dist = fakeDistribution(cf, baseConfig([], [aBehaviour('stale-origin', `/out/v1/${HASH}/*`)]));

    await endLive(deps(), { stream_id: record.id });

    expect(dist.config().CacheBehaviors).toEqual({ Quantity: 0, Items: [] });
  });

  it('does not update a distribution that no longer has the stream (idempotent)', async () => {
    const record = await anAssociatedStream();
    fakeDistribution(cf, baseConfig([anOrigin('live-OTHER')]));

    await endLive(deps(), { stream_id: record.id });

    expect(cf).toHaveReceivedCommandTimes(UpdateDistributionCommand, 0);
    expect((await fx.store.get(record.id)).cloudfront_associated).toBe(false);
  });

  it('retries with the new ETag after PreconditionFailed', async () => {
    const record = await anAssociatedStream();
    fakeDistribution(cf, baseConfig([anOrigin(`live-${record.id}`)]));
    cf.on(UpdateDistributionCommand)
      .rejectsOnce(new PreconditionFailed({ message: 'etag', $metadata: {} }))
      .resolves({ ETag: 'E9' });

    await endLive(deps(), { stream_id: record.id });

    expect(cf).toHaveReceivedCommandTimes(GetDistributionConfigCommand, 2);
    expect(cf).toHaveReceivedCommandTimes(UpdateDistributionCommand, 2);
  });

  it('leaves the record as it is when the stream was not on the CDN', async () => {
    const record = await fx.seed(anIdleStream({ viewer_endpoint: ENDPOINT }));
    fakeDistribution(cf, baseConfig());

    await endLive(deps(), { stream_id: record.id });

    expect((await fx.store.get(record.id)).version).toBe(record.version);
  });

  it('without a live distribution calls no CloudFront API and clears the record', async () => {
    const record = await anAssociatedStream();

    await endLive({ ...deps(), distribution: undefined }, { stream_id: record.id });

    expect(cf).not.toHaveReceivedAnyCommand();
    expect((await fx.store.get(record.id)).cloudfront_associated).toBe(false);
  });

  it('removes the origin of a stream whose endpoint is already gone (DeleteStream after a partial delete)', async () => {
    const record = await fx.seed(anIdleStream({ viewer_endpoint: null, cloudfront_associated: true }));
    const dist = fakeDistribution(
      cf,
      baseConfig([anOrigin(`live-${record.id}`)], [aBehaviour(`live-${record.id}`, '/out/v1/x/*')]),
    );

    await endLive(deps(), { stream_id: record.id });

    expect(dist.config().Origins?.Items?.map((o) => o.Id)).toEqual(['default']);
    expect(dist.config().CacheBehaviors?.Quantity).toBe(0);
  });
});
