/**
 * The drift handler (the channel-events function, from its bundle) on MediaLive's events, after a
 * channel changed outside a workflow: stopped, started or deleted in the console, or its input lost.
 * Each event is what MediaLive puts on EventBridge; the handler reads the channel's real state.
 */
import {
  DeleteChannelCommand,
  DescribeChannelCommand,
  StartChannelCommand,
  StopChannelCommand,
} from '@aws-sdk/client-medialive';
import {
  CreateScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamRecord } from '../../core/stream.js';
import { startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

let h: WorkflowHarness;

beforeAll(async () => {
  h = await startWorkflowHarness();
}, 180_000);

afterAll(async () => {
  await h?.close();
});

const channelArn = (id: string) => `arn:aws:medialive:us-east-1:000000000000:channel:${id}`;

function stateEvent(record: StreamRecord, state: string) {
  const arn = channelArn(record.live_channel_id as string);
  return {
    'detail-type': 'MediaLive Channel State Change',
    source: 'aws.medialive',
    time: new Date().toISOString(),
    resources: [arn],
    detail: { channel_arn: arn, state, pipeline: '0', message: `Channel is ${state}` },
  };
}

function alertEvent(record: StreamRecord, alarmState: 'SET' | 'CLEARED') {
  const arn = channelArn(record.live_channel_id as string);
  return {
    'detail-type': 'MediaLive Channel Alert',
    source: 'aws.medialive',
    time: new Date().toISOString(),
    resources: [arn],
    detail: {
      channel_arn: arn,
      alarm_state: alarmState,
      alarm_id: `${arn}:input:0`,
      alert_type: 'RTMP Stream Not Found',
      pipeline: '0',
      message: 'Waiting for RTMP input',
    },
  };
}

async function channelReaches(id: string, state: string): Promise<void> {
  await expect
    .poll(async () => (await h.aws.medialive.send(new DescribeChannelCommand({ ChannelId: id }))).State, {
      timeout: 10_000,
    })
    .toBe(state);
}

async function schedule(name: string): Promise<string | undefined> {
  try {
    const found = await h.aws.scheduler.send(
      new GetScheduleCommand({ Name: name, GroupName: h.scheduleGroup }),
    );
    return found.ScheduleExpression;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

describe('a channel stopped outside the workflows', () => {
  it('is recorded IDLE with the reason, its session closed and its guard removed', async () => {
    const running = await h.runningStream({ max_duration_seconds: 3600 });
    const id = running.live_channel_id as string;
    expect(await schedule(`${running.id}-guard`)).toMatch(/^at\(/);
    await h.aws.medialive.send(new StopChannelCommand({ ChannelId: id }));
    await channelReaches(id, 'IDLE');

    const result = await h.functions.invoke('channel-events', stateEvent(running, 'STOPPED'));

    expect(result).toEqual({ outcome: 'recorded:stopped' });
    const record = await h.store.get(running.id);
    expect(record).toMatchObject({ status: 'IDLE', started: false });
    expect(record.error?.code).toBe('ChannelStoppedOutsideWorkflow');
    const session = await h.store.getSession(running.id, running.current_session_id as string);
    expect(session.stopped_at).not.toBeNull();
    expect(await schedule(`${running.id}-guard`)).toBeUndefined();
  });
});

describe('a channel started outside the workflows', () => {
  it('is recorded RUNNING, never unguarded: its auto-stop guard is set', async () => {
    const idle = await h.idleStream({ max_duration_seconds: 3600 });
    const id = idle.live_channel_id as string;
    await h.aws.medialive.send(new StartChannelCommand({ ChannelId: id }));
    await channelReaches(id, 'RUNNING');

    const result = await h.functions.invoke('channel-events', stateEvent(idle, 'RUNNING'));

    expect(result).toEqual({ outcome: 'recorded:running' });
    const record = await h.store.get(idle.id);
    expect(record).toMatchObject({ status: 'RUNNING', started: true });
    expect(record.error?.code).toBe('ChannelStartedOutsideWorkflow');
    expect(await schedule(`${idle.id}-guard`)).toMatch(/^at\(/);
  });
});

describe('a channel deleted outside the workflows', () => {
  it('is recorded FAILED, the stream still deletable', async () => {
    const idle = await h.idleStream();
    const id = idle.live_channel_id as string;
    await h.aws.medialive.send(new DeleteChannelCommand({ ChannelId: id }));
    await channelReaches(id, 'DELETED');

    expect(await h.functions.invoke('channel-events', stateEvent(idle, 'DELETED'))).toEqual({
      outcome: 'recorded:deleted',
    });
    expect((await h.store.get(idle.id)).error?.code).toBe('ChannelDeletedOutsideWorkflow');

    const remove = await h.act('DELETE', `/streams/${idle.id}`);
    expect(remove.execution.status).toBe('SUCCEEDED');
    expect(remove.record).toBeUndefined();
  });
});

describe("a running stream's input lost, then back", () => {
  it('schedules the input-loss stop, then removes it', async () => {
    const running = await h.runningStream({ stop_after_input_loss_seconds: 600 });

    expect(await h.functions.invoke('channel-events', alertEvent(running, 'SET'))).toEqual({
      outcome: 'scheduled:input-loss-stop',
    });
    expect(await schedule(`${running.id}-input-loss`)).toMatch(/^at\(/);

    expect(await h.functions.invoke('channel-events', alertEvent(running, 'CLEARED'))).toEqual({
      outcome: 'cleared:input-loss-stop',
    });
    expect(await schedule(`${running.id}-input-loss`)).toBeUndefined();
  });
});

describe('an event older than the last change of the record', () => {
  it('changes nothing', async () => {
    const running = await h.runningStream();
    const old = { ...stateEvent(running, 'STOPPED'), time: new Date(Date.now() - 3_600_000).toISOString() };

    expect(await h.functions.invoke('channel-events', old)).toEqual({ outcome: 'ignored:stale' });
    expect((await h.store.get(running.id)).status).toBe('RUNNING');
  });
});

describe('an auto-stop guard left by an earlier run', () => {
  it('is replaced by the start, which sets the new one', async () => {
    const idle = await h.idleStream({ max_duration_seconds: 3600 });
    const leftOver = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
    await h.aws.scheduler.send(
      new CreateScheduleCommand({
        Name: `${idle.id}-guard`,
        GroupName: h.scheduleGroup,
        ScheduleExpression: `at(${leftOver})`,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: {
          Arn: h.machines.stop,
          RoleArn: 'arn:aws:iam::000000000000:role/local-scheduler',
          Input: JSON.stringify({ stream_id: idle.id }),
        },
      }),
    );

    const start = await h.act('POST', `/streams/${idle.id}/start`, {});

    expect(start.record?.status).toBe('RUNNING');
    const guard = await schedule(`${idle.id}-guard`);
    expect(guard).toMatch(/^at\(/);
    expect(guard).not.toBe(`at(${leftOver})`);
  });
});
