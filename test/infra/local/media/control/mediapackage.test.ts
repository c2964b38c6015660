import {
  CreateChannelCommand,
  CreateOriginEndpointCommand,
  type CreateOriginEndpointCommandInput,
  DeleteChannelCommand,
  DeleteOriginEndpointCommand,
  DescribeChannelCommand,
  DescribeOriginEndpointCommand,
  NotFoundException,
  UnprocessableEntityException,
  UpdateOriginEndpointCommand,
} from '@aws-sdk/client-mediapackage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, HLS_BASE_URL, startHarness, wireProblems } from './control-plane-harness.js';

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

const SPEKE = {
  ResourceId: 'stream-s1',
  SystemIds: ['81376844-f976-481e-a84e-cc25d39b0b33'],
  Url: 'https://speke.example.com/v1',
  RoleArn: 'arn:aws:iam::000000000000:role/speke',
};

function endpointRequest(
  overrides: Partial<CreateOriginEndpointCommandInput> = {},
): CreateOriginEndpointCommandInput {
  return {
    Id: 'live-s1-hls',
    ChannelId: 'live-s1',
    StartoverWindowSeconds: 3600,
    HlsPackage: { SegmentDurationSeconds: 6, PlaylistWindowSeconds: 60 },
    Tags: { stream_id: 's1' },
    ...overrides,
  };
}

async function createChannel(id = 'live-s1') {
  return h.mediapackage.send(new CreateChannelCommand({ Id: id, Description: 'stream s1' }));
}

describe('MediaPackage channels', () => {
  it('creates a channel with two HLS ingest endpoints and describes it', async () => {
    const created = await createChannel();
    expect(created.Id).toBe('live-s1');
    expect(created.Arn).toMatch(/^arn:aws:mediapackage:us-east-1:000000000000:channels\/[0-9a-f]{32}$/);
    expect(created.HlsIngest?.IngestEndpoints).toHaveLength(2);
    for (const ingest of created.HlsIngest?.IngestEndpoints ?? []) {
      expect(ingest.Url).toMatch(new RegExp(`^${HLS_BASE_URL}/in/v2/[0-9a-f]{32}/[0-9a-f]{32}/channel$`));
      expect(ingest.Username).toMatch(/^[0-9a-f]{32}$/);
    }
    const described = await h.mediapackage.send(new DescribeChannelCommand({ Id: 'live-s1' }));
    expect(described.Description).toBe('stream s1');
    expect(described.HlsIngest).toEqual(created.HlsIngest);
  });

  it('answers a second channel with the same id with UnprocessableEntityException', async () => {
    await createChannel();
    await expect(createChannel()).rejects.toThrow(UnprocessableEntityException);
  });

  it('answers an unknown channel with NotFoundException', async () => {
    await expect(h.mediapackage.send(new DescribeChannelCommand({ Id: 'nope' }))).rejects.toThrow(
      NotFoundException,
    );
    await expect(h.mediapackage.send(new DeleteChannelCommand({ Id: 'nope' }))).rejects.toThrow(
      NotFoundException,
    );
  });

  it('refuses to delete a channel that still has origin endpoints, then deletes it once they are gone', async () => {
    await createChannel();
    await h.mediapackage.send(new CreateOriginEndpointCommand(endpointRequest()));
    await expect(h.mediapackage.send(new DeleteChannelCommand({ Id: 'live-s1' }))).rejects.toThrow(
      UnprocessableEntityException,
    );
    await h.mediapackage.send(new DeleteOriginEndpointCommand({ Id: 'live-s1-hls' }));
    await h.mediapackage.send(new DeleteChannelCommand({ Id: 'live-s1' }));
    await expect(h.mediapackage.send(new DescribeChannelCommand({ Id: 'live-s1' }))).rejects.toThrow(
      NotFoundException,
    );
  });
});

describe('MediaPackage origin endpoints', () => {
  it('gives an endpoint the real URL shape <base>/out/v1/<32 hex>/index.m3u8 and AWS defaults', async () => {
    await createChannel();
    const endpoint = await h.mediapackage.send(new CreateOriginEndpointCommand(endpointRequest()));
    expect(endpoint.Url).toMatch(new RegExp(`^${HLS_BASE_URL}/out/v1/[0-9a-f]{32}/index\\.m3u8$`));
    const hash = endpoint.Url?.split('/').at(-2);
    expect(endpoint.Arn).toBe(`arn:aws:mediapackage:us-east-1:000000000000:origin_endpoints/${hash}`);
    expect(endpoint.ManifestName).toBe('index');
    expect(endpoint.StartoverWindowSeconds).toBe(3600);
    expect(endpoint.TimeDelaySeconds).toBe(0);
    expect(endpoint.Origination).toBe('ALLOW');
    expect(endpoint.HlsPackage).toEqual({
      AdMarkers: 'NONE',
      IncludeDvbSubtitles: false,
      IncludeIframeOnlyStream: false,
      PlaylistType: 'NONE',
      PlaylistWindowSeconds: 60,
      ProgramDateTimeIntervalSeconds: 0,
      SegmentDurationSeconds: 6,
      UseAudioRenditionGroup: false,
    });
  });

  it('names the playlist after ManifestName', async () => {
    await createChannel();
    const endpoint = await h.mediapackage.send(
      new CreateOriginEndpointCommand(endpointRequest({ ManifestName: 'live' })),
    );
    expect(endpoint.Url).toMatch(/\/out\/v1\/[0-9a-f]{32}\/live\.m3u8$/);
  });

  it('keeps SPEKE encryption with its key rotation interval', async () => {
    await createChannel();
    const endpoint = await h.mediapackage.send(
      new CreateOriginEndpointCommand(
        endpointRequest({
          HlsPackage: {
            SegmentDurationSeconds: 6,
            Encryption: { SpekeKeyProvider: SPEKE, KeyRotationIntervalSeconds: 300 },
          },
        }),
      ),
    );
    expect(endpoint.HlsPackage?.Encryption).toEqual({
      EncryptionMethod: 'AES_128',
      KeyRotationIntervalSeconds: 300,
      RepeatExtXKey: false,
      SpekeKeyProvider: SPEKE,
    });
  });

  it('refuses encryption without a complete SPEKE key provider', async () => {
    await createChannel();
    await expect(
      h.mediapackage.send(
        new CreateOriginEndpointCommand(
          endpointRequest({
            HlsPackage: {
              Encryption: {
                // The SDK does not check required members; MediaPackage does.
                SpekeKeyProvider: { ...SPEKE, Url: undefined } as unknown as typeof SPEKE,
                KeyRotationIntervalSeconds: 60,
              },
            },
          }),
        ),
      ),
    ).rejects.toThrow(UnprocessableEntityException);
  });

  it('refuses endpoints on unknown channels, duplicate ids, non-HLS packages and out-of-range values', async () => {
    await createChannel();
    const create = (overrides: Partial<CreateOriginEndpointCommandInput>) =>
      h.mediapackage.send(new CreateOriginEndpointCommand(endpointRequest(overrides)));
    await expect(create({ ChannelId: 'missing' })).rejects.toThrow(UnprocessableEntityException);
    await expect(create({ HlsPackage: undefined, DashPackage: {} })).rejects.toThrow(
      UnprocessableEntityException,
    );
    await expect(create({ StartoverWindowSeconds: 1_209_601 })).rejects.toThrow(UnprocessableEntityException);
    await expect(create({ HlsPackage: { SegmentDurationSeconds: 0 } })).rejects.toThrow(
      UnprocessableEntityException,
    );
    await create({});
    await expect(create({})).rejects.toThrow(UnprocessableEntityException);
  });

  it('updates an endpoint in place, keeping its URL hash and ARN', async () => {
    await createChannel();
    const created = await h.mediapackage.send(new CreateOriginEndpointCommand(endpointRequest()));
    const updated = await h.mediapackage.send(
      new UpdateOriginEndpointCommand({
        Id: 'live-s1-hls',
        StartoverWindowSeconds: 7200,
        HlsPackage: { SegmentDurationSeconds: 2, PlaylistWindowSeconds: 30 },
      }),
    );
    expect(updated.Url).toBe(created.Url);
    expect(updated.Arn).toBe(created.Arn);
    expect(updated.StartoverWindowSeconds).toBe(7200);
    expect(updated.HlsPackage?.SegmentDurationSeconds).toBe(2);
    const described = await h.mediapackage.send(new DescribeOriginEndpointCommand({ Id: 'live-s1-hls' }));
    expect(described.StartoverWindowSeconds).toBe(7200);
  });

  it('leaves an endpoint unchanged when an update is refused', async () => {
    await createChannel();
    await h.mediapackage.send(new CreateOriginEndpointCommand(endpointRequest()));
    await expect(
      h.mediapackage.send(
        new UpdateOriginEndpointCommand({
          Id: 'live-s1-hls',
          StartoverWindowSeconds: 60,
          HlsPackage: { PlaylistType: 'BAD' as 'NONE' },
        }),
      ),
    ).rejects.toThrow(UnprocessableEntityException);
    const described = await h.mediapackage.send(new DescribeOriginEndpointCommand({ Id: 'live-s1-hls' }));
    expect(described.StartoverWindowSeconds).toBe(3600);
  });

  it('answers an unknown endpoint with NotFoundException', async () => {
    await expect(h.mediapackage.send(new DescribeOriginEndpointCommand({ Id: 'nope' }))).rejects.toThrow(
      NotFoundException,
    );
    await expect(h.mediapackage.send(new DeleteOriginEndpointCommand({ Id: 'nope' }))).rejects.toThrow(
      NotFoundException,
    );
  });
});
