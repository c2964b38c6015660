import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetDistributionConfigCommand, UpdateDistributionCommand } from '@aws-sdk/client-cloudfront';
import {
  CreateChannelCommand,
  DeleteInputCommand,
  DescribeChannelCommand,
  DescribeInputCommand,
  StartChannelCommand,
} from '@aws-sdk/client-medialive';
import {
  CreateOriginEndpointCommand,
  CreateChannelCommand as CreatePackageChannelCommand,
  DescribeOriginEndpointCommand,
} from '@aws-sdk/client-mediapackage';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlState } from '../../../../../infra/local/media/control/state.js';
import {
  channelRequest,
  createRtmpInput,
  DISTRIBUTION,
  type Harness,
  pollChannelState,
  startHarness,
  wireProblems,
} from './control-plane-harness.js';

const STATE_FILE_NAME = 'media-control.json';

let h: Harness;

afterEach(async () => {
  try {
    expect(wireProblems(h.exchanges)).toEqual([]);
  } finally {
    await h.close();
  }
});

function stateOnDisk(harness: Harness): ControlState {
  return JSON.parse(readFileSync(path.join(harness.dataDir, STATE_FILE_NAME), 'utf8')) as ControlState;
}

async function channelIn(harness: Harness, state: 'IDLE' | 'RUNNING') {
  const inputId = await createRtmpInput(harness.medialive);
  const { Channel } = await harness.medialive.send(new CreateChannelCommand(channelRequest(inputId)));
  const channelId = Channel?.Id ?? '';
  await pollChannelState(harness.medialive, channelId, 'IDLE');
  if (state === 'RUNNING') {
    await harness.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    await pollChannelState(harness.medialive, channelId, 'RUNNING');
  }
  return { inputId, channelId };
}

describe('control plane persistence', () => {
  it('keeps inputs, channels, MediaPackage endpoints and the distribution config across a restart', async () => {
    h = await startHarness();
    const { inputId, channelId } = await channelIn(h, 'IDLE');
    await h.mediapackage.send(new CreatePackageChannelCommand({ Id: 'live-s1' }));
    const endpoint = await h.mediapackage.send(
      new CreateOriginEndpointCommand({ Id: 'live-s1-hls', ChannelId: 'live-s1', HlsPackage: {} }),
    );
    const current = await h.cloudfront.send(new GetDistributionConfigCommand({ Id: DISTRIBUTION.id }));
    const updated = await h.cloudfront.send(
      new UpdateDistributionCommand({
        Id: DISTRIBUTION.id,
        IfMatch: current.ETag,
        DistributionConfig: { ...(current.DistributionConfig as object), Comment: 'changed' } as never,
      }),
    );

    h = await h.restart();
    const channel = await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    expect(channel.State).toBe('IDLE');
    expect(channel.EncoderSettings).toEqual(channelRequest(inputId).EncoderSettings);
    expect((await h.medialive.send(new DescribeInputCommand({ InputId: inputId }))).State).toBe('ATTACHED');
    const reread = await h.mediapackage.send(new DescribeOriginEndpointCommand({ Id: 'live-s1-hls' }));
    expect(reread.Url).toBe(endpoint.Url);
    const config = await h.cloudfront.send(new GetDistributionConfigCommand({ Id: DISTRIBUTION.id }));
    expect(config.ETag).toBe(updated.ETag);
    expect(config.DistributionConfig?.Comment).toBe('changed');
  });

  it('restores a RUNNING channel as IDLE after a restart, because its encoder died with the process', async () => {
    h = await startHarness();
    const { channelId } = await channelIn(h, 'RUNNING');
    h = await h.restart();
    expect((await h.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }))).State).toBe('IDLE');
    // And it can be started again.
    await h.medialive.send(new StartChannelCommand({ ChannelId: channelId }));
    await pollChannelState(h.medialive, channelId, 'RUNNING');
  });

  it('restores a channel caught CREATING by the restart as IDLE', async () => {
    h = await startHarness({ timings: { createMs: 60_000 } });
    const inputId = await createRtmpInput(h.medialive);
    const { Channel } = await h.medialive.send(new CreateChannelCommand(channelRequest(inputId)));
    expect(Channel?.State).toBe('CREATING');
    h = await h.restart();
    expect((await h.medialive.send(new DescribeChannelCommand({ ChannelId: Channel?.Id }))).State).toBe(
      'IDLE',
    );
  });

  it('restores STARTING, STOPPING and UPDATING channels as IDLE and DELETING ones as DELETED', async () => {
    h = await startHarness();
    const channels = {
      STARTING: await channelIn(h, 'IDLE'),
      STOPPING: await channelIn(h, 'IDLE'),
      UPDATING: await channelIn(h, 'IDLE'),
      DELETING: await channelIn(h, 'IDLE'),
    };
    await h.controlPlane.close();
    // Rewrite the saved states as if the process had died in the middle of each transition.
    const saved = stateOnDisk(h);
    for (const [state, { channelId }] of Object.entries(channels)) {
      const record = saved.medialive.channels[channelId];
      if (record) record.state = state as 'STARTING';
    }
    writeFileSync(path.join(h.dataDir, STATE_FILE_NAME), JSON.stringify(saved));

    h = await startHarness({}, { dataDir: h.dataDir, exchanges: h.exchanges, plane: h.plane });
    const stateOf = async (id: string) =>
      (await h.medialive.send(new DescribeChannelCommand({ ChannelId: id }))).State;
    expect(await stateOf(channels.STARTING.channelId)).toBe('IDLE');
    expect(await stateOf(channels.STOPPING.channelId)).toBe('IDLE');
    expect(await stateOf(channels.UPDATING.channelId)).toBe('IDLE');
    expect(await stateOf(channels.DELETING.channelId)).toBe('DELETED');
    const input = await h.medialive.send(new DescribeInputCommand({ InputId: channels.DELETING.inputId }));
    expect(input.State).toBe('DETACHED');
    expect(h.plane.calls).toEqual([]);
  });

  it('restores a DELETING input as DELETED', async () => {
    h = await startHarness({ timings: { deleteMs: 60_000 } });
    const inputId = await createRtmpInput(h.medialive);
    await h.medialive.send(new DeleteInputCommand({ InputId: inputId }));
    h = await h.restart();
    expect((await h.medialive.send(new DescribeInputCommand({ InputId: inputId }))).State).toBe('DELETED');
  });

  it('writes the state file atomically, leaving no temporary file behind', async () => {
    h = await startHarness();
    await channelIn(h, 'IDLE');
    await h.controlPlane.close();
    expect(readdirSync(h.dataDir)).toEqual([STATE_FILE_NAME]);
    expect(Object.keys(stateOnDisk(h).medialive.channels)).toHaveLength(1);
    // Inputs hold stream keys: owner only.
    expect(statSync(path.join(h.dataDir, STATE_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  it('refuses to start on a corrupt state file instead of silently losing resources', async () => {
    h = await startHarness();
    await h.controlPlane.close();
    writeFileSync(path.join(h.dataDir, STATE_FILE_NAME), '{"version": 1, "medialive": ');
    await expect(
      startHarness({}, { dataDir: h.dataDir, exchanges: h.exchanges, plane: h.plane }),
    ).rejects.toThrow(SyntaxError);
  });
});
