import {
  type DistributionConfig,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import {
  CreateChannelCommand,
  DeleteInputCommand,
  DescribeInputCommand,
  StartChannelCommand,
  StopChannelCommand,
} from '@aws-sdk/client-medialive';
import {
  CreateOriginEndpointCommand,
  CreateChannelCommand as CreatePackageChannelCommand,
} from '@aws-sdk/client-mediapackage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  channelRequest,
  createRtmpInput,
  DISTRIBUTION,
  type Harness,
  HLS_BASE_URL,
  pollChannelState,
  startHarness,
  waitFor,
  wireProblems,
} from './control-plane-harness.js';

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

async function packageEndpoint() {
  await h.mediapackage.send(new CreatePackageChannelCommand({ Id: 'live-s1' }));
  const endpoint = await h.mediapackage.send(
    new CreateOriginEndpointCommand({
      Id: 'live-s1-hls',
      ChannelId: 'live-s1',
      ManifestName: 'index',
      StartoverWindowSeconds: 3600,
      HlsPackage: {},
    }),
  );
  const hash = /\/out\/v1\/([0-9a-f]{32})\//.exec(endpoint.Url ?? '')?.[1] ?? '';
  return { url: endpoint.Url ?? '', hash };
}

async function setBehaviours(patterns: string[]) {
  const { DistributionConfig: config, ETag } = await h.cloudfront.send(
    new GetDistributionConfigCommand({ Id: DISTRIBUTION.id }),
  );
  const current = config as DistributionConfig;
  const target = current.Origins?.Items?.[0]?.Id ?? '';
  const next: DistributionConfig = {
    ...current,
    CacheBehaviors: {
      Quantity: patterns.length,
      Items: patterns.map((PathPattern) => ({
        PathPattern,
        TargetOriginId: target,
        ViewerProtocolPolicy: 'allow-all',
      })),
    },
  };
  await h.cloudfront.send(
    new UpdateDistributionCommand({ Id: DISTRIBUTION.id, IfMatch: ETag, DistributionConfig: next }),
  );
}

describe('ControlPlaneView', () => {
  it('finds the input that owns an RTMP app/stream name, and forgets it once the input is deleted', async () => {
    const inputId = await createRtmpInput(h.medialive, ['live/key-a', 'live/key-b']);
    expect(h.controlPlane.view.findInputByStreamName('live', 'key-b')).toEqual({
      id: inputId,
      streamNames: ['live/key-a', 'live/key-b'],
      type: 'RTMP_PUSH',
    });
    expect(h.controlPlane.view.findInputByStreamName('live', 'unknown')).toBeUndefined();
    expect(h.controlPlane.view.findInputByStreamName('other', 'key-a')).toBeUndefined();
    await h.medialive.send(new DeleteInputCommand({ InputId: inputId }));
    expect((await h.medialive.send(new DescribeInputCommand({ InputId: inputId }))).State).toBe('DELETING');
    expect(h.controlPlane.view.findInputByStreamName('live', 'key-a')).toBeUndefined();
  });

  it('finds the running channel of an input only while it runs', async () => {
    const inputId = await createRtmpInput(h.medialive);
    const { Channel } = await h.medialive.send(new CreateChannelCommand(channelRequest(inputId)));
    const channelId = Channel?.Id ?? '';
    await pollChannelState(h.medialive, channelId, 'IDLE');
    expect(h.controlPlane.view.findRunningChannelForInput(inputId)).toBeUndefined();

    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    expect(h.controlPlane.view.findRunningChannelForInput(inputId)).toBeUndefined();
    await pollChannelState(h.medialive, channelId, 'RUNNING');
    const running = h.controlPlane.view.findRunningChannelForInput(inputId);
    expect(running?.id).toBe(channelId);
    expect(running?.inputIds).toEqual([inputId]);
    expect(running?.encoderSettings.OutputGroups).toHaveLength(2);

    await h.medialive.send(new StopChannelCommand({ ChannelId: channelId }));
    expect(h.controlPlane.view.findRunningChannelForInput(inputId)).toBeUndefined();
  });

  it('counts a STARTING channel as running once the media plane has been asked to encode it', async () => {
    h.plane.startDelayMs = 300;
    const inputId = await createRtmpInput(h.medialive);
    const { Channel } = await h.medialive.send(new CreateChannelCommand(channelRequest(inputId)));
    const channelId = Channel?.Id ?? '';
    await pollChannelState(h.medialive, channelId, 'IDLE');
    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    await waitFor(() => h.plane.calls.length > 0, 'the media plane start');
    expect(h.controlPlane.view.findRunningChannelForInput(inputId)?.id).toBe(channelId);
    await pollChannelState(h.medialive, channelId, 'RUNNING');
  });

  it('describes a package channel with its endpoints, and finds an endpoint by its URL hash', async () => {
    const { url, hash } = await packageEndpoint();
    expect(url.startsWith(`${HLS_BASE_URL}/out/v1/`)).toBe(true);
    expect(h.controlPlane.view.getPackageChannel('live-s1')).toEqual({
      id: 'live-s1',
      endpoints: [{ id: 'live-s1-hls', url, startoverWindowSeconds: 3600, manifestName: 'index' }],
    });
    expect(h.controlPlane.view.getPackageChannel('missing')).toBeUndefined();
    expect(h.controlPlane.view.findEndpointByHash(hash)).toEqual({
      channelId: 'live-s1',
      endpointId: 'live-s1-hls',
      startoverWindowSeconds: 3600,
      manifestName: 'index',
    });
    expect(h.controlPlane.view.findEndpointByHash('0'.repeat(32))).toBeUndefined();
  });

  it('says the CDN serves an endpoint only while the live distribution has a behaviour for its path', async () => {
    const { hash } = await packageEndpoint();
    expect(h.controlPlane.view.cdnServes(hash)).toBe(false);
    await setBehaviours([`/out/v1/${hash}/*`]);
    expect(h.controlPlane.view.cdnServes(hash)).toBe(true);
    expect(h.controlPlane.view.cdnServes('f'.repeat(32))).toBe(false);
    await setBehaviours([`/out/v1/${hash}/index.m3u8`]);
    expect(h.controlPlane.view.cdnServes(hash)).toBe(false);
    await setBehaviours([]);
    expect(h.controlPlane.view.cdnServes(hash)).toBe(false);
  });
});
