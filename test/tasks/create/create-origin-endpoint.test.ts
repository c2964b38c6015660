import {
  CreateOriginEndpointCommand,
  DescribeOriginEndpointCommand,
  NotFoundException,
  UnprocessableEntityException,
} from '@aws-sdk/client-mediapackage';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MissingResource } from '../../../core/errors.js';
import { createOriginEndpoint } from '../../../tasks/create/create-origin-endpoint.js';
import { aStream } from '../../support/builders.js';
import { inputsOf, modelProblems, newMediaPackage, type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
const mediapackage = newMediaPackage();
const mp = mockClient(mediapackage);

beforeAll(async () => {
  fx = await startStore();
});
afterAll(async () => fx.close());
beforeEach(() => mp.reset());

const SPEKE = {
  url: 'https://speke.example.com/v1/keys',
  roleArn: 'arn:aws:iam::123456789012:role/speke',
  systemIds: ['81376844-f976-481e-a84e-cc25d39b0b33'],
};
const URL = 'https://abc.mediapackage.us-east-1.amazonaws.com/out/v1/0123456789abcdef/index.m3u8';

const withPackageChannel = (overrides: Parameters<typeof aStream>[0] = {}) =>
  aStream({ package_channel_id: 'pkg-channel', ...overrides });

describe('createOriginEndpoint', () => {
  it('creates an unencrypted HLS endpoint with the startover window when no SPEKE provider is configured', async () => {
    const record = await fx.seed(
      withPackageChannel({ startover_window_seconds: 3600, key_rotation_interval: null }),
    );
    mp.on(CreateOriginEndpointCommand).resolves({ Url: URL });

    const out = await createOriginEndpoint(
      { mediapackage, store: fx.store, speke: undefined },
      { stream_id: record.id },
    );

    expect(out).toEqual({ package_endpoint_id: `live-${record.id}-hls` });
    expect(inputsOf(mp, CreateOriginEndpointCommand)).toEqual([
      {
        Id: `live-${record.id}-hls`,
        ChannelId: 'pkg-channel',
        ManifestName: 'index',
        StartoverWindowSeconds: 3600,
        HlsPackage: {
          SegmentDurationSeconds: 6,
          PlaylistWindowSeconds: 60,
          ProgramDateTimeIntervalSeconds: 6,
        },
        Tags: { stream_id: record.id },
      },
    ]);
    const read = await fx.store.get(record.id);
    expect(read.package_endpoint_id).toBe(`live-${record.id}-hls`);
    expect(read.viewer_endpoint).toBe(URL);
    expect(
      modelProblems('mediapackage', 'CreateOriginEndpoint', inputsOf(mp, CreateOriginEndpointCommand)[0]),
    ).toBe('');
  });

  it('turns AES-128 encryption on with the key rotation interval when SPEKE is configured', async () => {
    const record = await fx.seed(withPackageChannel({ key_rotation_interval: 60 }));
    mp.on(CreateOriginEndpointCommand).resolves({ Url: URL });

    await createOriginEndpoint({ mediapackage, store: fx.store, speke: SPEKE }, { stream_id: record.id });

    expect(inputsOf(mp, CreateOriginEndpointCommand)[0]?.HlsPackage).toEqual({
      SegmentDurationSeconds: 6,
      PlaylistWindowSeconds: 60,
      ProgramDateTimeIntervalSeconds: 6,
      Encryption: {
        EncryptionMethod: 'AES_128',
        KeyRotationIntervalSeconds: 60,
        SpekeKeyProvider: {
          ResourceId: record.id,
          RoleArn: SPEKE.roleArn,
          SystemIds: SPEKE.systemIds,
          Url: SPEKE.url,
        },
      },
    });
    expect(
      modelProblems('mediapackage', 'CreateOriginEndpoint', inputsOf(mp, CreateOriginEndpointCommand)[0]),
    ).toBe('');
  });

  it('sends no Encryption when SPEKE is configured but the stream has no key rotation interval', async () => {
    const record = await fx.seed(withPackageChannel({ key_rotation_interval: null }));
    mp.on(CreateOriginEndpointCommand).resolves({ Url: URL });

    await createOriginEndpoint({ mediapackage, store: fx.store, speke: SPEKE }, { stream_id: record.id });

    expect(inputsOf(mp, CreateOriginEndpointCommand)[0]?.HlsPackage).not.toHaveProperty('Encryption');
  });

  it('sends no Encryption without SPEKE even when the record carries a key rotation interval', async () => {
    const record = await fx.seed(withPackageChannel({ key_rotation_interval: 60 }));
    mp.on(CreateOriginEndpointCommand).resolves({ Url: URL });

    await createOriginEndpoint({ mediapackage, store: fx.store, speke: undefined }, { stream_id: record.id });

    expect(inputsOf(mp, CreateOriginEndpointCommand)[0]?.HlsPackage).not.toHaveProperty('Encryption');
  });

  it('omits StartoverWindowSeconds when the stream has startover off (0)', async () => {
    const record = await fx.seed(withPackageChannel({ startover_window_seconds: 0 }));
    mp.on(CreateOriginEndpointCommand).resolves({ Url: URL });

    await createOriginEndpoint({ mediapackage, store: fx.store, speke: undefined }, { stream_id: record.id });

    expect(inputsOf(mp, CreateOriginEndpointCommand)[0]).not.toHaveProperty('StartoverWindowSeconds');
  });

  it('adopts the endpoint of a previous attempt, with its URL, when MediaPackage answers 422', async () => {
    const record = await fx.seed(withPackageChannel());
    mp.on(CreateOriginEndpointCommand).rejects(
      new UnprocessableEntityException({ message: 'exists', $metadata: {} }),
    );
    mp.on(DescribeOriginEndpointCommand).resolves({ Id: `live-${record.id}-hls`, Url: URL });

    await createOriginEndpoint({ mediapackage, store: fx.store, speke: undefined }, { stream_id: record.id });

    expect(mp).toHaveReceivedCommandWith(DescribeOriginEndpointCommand, { Id: `live-${record.id}-hls` });
    expect((await fx.store.get(record.id)).viewer_endpoint).toBe(URL);
  });

  it('reports the 422 itself when no endpoint exists behind it (invalid parameters)', async () => {
    const record = await fx.seed(withPackageChannel());
    mp.on(CreateOriginEndpointCommand).rejects(
      new UnprocessableEntityException({ message: 'startover too long', $metadata: {} }),
    );
    mp.on(DescribeOriginEndpointCommand).rejects(
      new NotFoundException({ message: 'no endpoint', $metadata: {} }),
    );

    const run = createOriginEndpoint(
      { mediapackage, store: fx.store, speke: undefined },
      { stream_id: record.id },
    );

    await expect(run).rejects.toThrow(UnprocessableEntityException);
    await expect(run).rejects.toThrow('startover too long');
    expect((await fx.store.get(record.id)).package_endpoint_id).toBeNull();
  });

  it('throws MissingResource when the stream has no MediaPackage channel yet, calling nothing', async () => {
    const record = await fx.seed(aStream({ package_channel_id: null }));

    await expect(
      createOriginEndpoint({ mediapackage, store: fx.store, speke: undefined }, { stream_id: record.id }),
    ).rejects.toThrow(MissingResource);
    expect(mp).not.toHaveReceivedAnyCommand();
  });
});
