import { TooManyRequestsException, UpdateOriginEndpointCommand } from '@aws-sdk/client-mediapackage';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MissingResource } from '../../../core/errors.js';
import { updateOriginEndpoint } from '../../../tasks/start/update-origin-endpoint.js';
import { anIdleStream } from '../../support/builders.js';
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
  url: 'https://speke.example.com/v1',
  roleArn: 'arn:aws:iam::123456789012:role/speke',
  systemIds: ['a', 'b'],
};

describe('updateOriginEndpoint', () => {
  it("applies the stream's current startover window to its endpoint", async () => {
    const record = await fx.seed(anIdleStream({ startover_window_seconds: 7200 }));
    mp.on(UpdateOriginEndpointCommand).resolves({});

    const out = await updateOriginEndpoint(
      { mediapackage, store: fx.store, speke: undefined },
      { stream_id: record.id },
    );

    expect(out).toEqual({ startover_window_seconds: 7200 });
    expect(inputsOf(mp, UpdateOriginEndpointCommand)).toEqual([
      {
        Id: 'stream-endpoint',
        ManifestName: 'index',
        StartoverWindowSeconds: 7200,
        HlsPackage: {
          SegmentDurationSeconds: 6,
          PlaylistWindowSeconds: 60,
          ProgramDateTimeIntervalSeconds: 6,
        },
      },
    ]);
    expect(
      modelProblems('mediapackage', 'UpdateOriginEndpoint', inputsOf(mp, UpdateOriginEndpointCommand)[0]),
    ).toBe('');
  });

  it('turns startover off by leaving the window out, never by sending 0 (MediaPackage: unset = disabled)', async () => {
    const record = await fx.seed(anIdleStream({ startover_window_seconds: 0 }));
    mp.on(UpdateOriginEndpointCommand).resolves({});

    await updateOriginEndpoint({ mediapackage, store: fx.store, speke: undefined }, { stream_id: record.id });

    expect(inputsOf(mp, UpdateOriginEndpointCommand)[0]).not.toHaveProperty('StartoverWindowSeconds');
  });

  it('never marks the sliding live playlist as an EVENT playlist (RFC 8216: EVENT playlists only grow)', async () => {
    const record = await fx.seed(anIdleStream());
    mp.on(UpdateOriginEndpointCommand).resolves({});

    await updateOriginEndpoint({ mediapackage, store: fx.store, speke: SPEKE }, { stream_id: record.id });

    expect(inputsOf(mp, UpdateOriginEndpointCommand)[0]?.HlsPackage).not.toHaveProperty('PlaylistType');
  });

  it('applies a changed key rotation interval when SPEKE is configured', async () => {
    const record = await fx.seed(anIdleStream({ key_rotation_interval: 300 }));
    mp.on(UpdateOriginEndpointCommand).resolves({});

    await updateOriginEndpoint({ mediapackage, store: fx.store, speke: SPEKE }, { stream_id: record.id });

    expect(mp).toHaveReceivedCommandWith(UpdateOriginEndpointCommand, {
      HlsPackage: {
        SegmentDurationSeconds: 6,
        PlaylistWindowSeconds: 60,
        ProgramDateTimeIntervalSeconds: 6,
        Encryption: {
          EncryptionMethod: 'AES_128',
          KeyRotationIntervalSeconds: 300,
          SpekeKeyProvider: {
            ResourceId: record.id,
            RoleArn: SPEKE.roleArn,
            SystemIds: ['a', 'b'],
            Url: SPEKE.url,
          },
        },
      },
    });
  });

  it('throws MissingResource for a stream without an origin endpoint', async () => {
    const record = await fx.seed(anIdleStream({ package_endpoint_id: null }));

    await expect(
      updateOriginEndpoint({ mediapackage, store: fx.store, speke: undefined }, { stream_id: record.id }),
    ).rejects.toThrow(MissingResource);
    expect(mp).not.toHaveReceivedAnyCommand();
  });

  it('lets throttling through under its own name', async () => {
    const record = await fx.seed(anIdleStream());
    mp.on(UpdateOriginEndpointCommand).rejects(
      new TooManyRequestsException({ message: 'slow', $metadata: {} }),
    );

    await expect(
      updateOriginEndpoint({ mediapackage, store: fx.store, speke: undefined }, { stream_id: record.id }),
    ).rejects.toThrow(TooManyRequestsException);
  });
});
