import { type ChannelState, DescribeChannelCommand, NotFoundException } from '@aws-sdk/client-medialive';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StreamSchedules } from '../../../core/stream-schedules.js';
import { onChannelEvent } from '../../../tasks/channel-events/channel-events.js';
import type { MediaLiveEvent } from '../../../tasks/contracts.js';
import { anIdleStream } from '../../support/builders.js';
import { TEST_CREDENTIALS } from '../../support/dynalite.js';
import { newMediaLive, type StoreFixture, startStore } from '../task-harness.js';

let fx: StoreFixture;
const medialive = newMediaLive();
const ml = mockClient(medialive);
const schedulerClient = new SchedulerClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS });
const scheduler = mockClient(schedulerClient);
const schedules = new StreamSchedules(schedulerClient, {
  groupName: 'live-streams',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler',
  startStateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:StartStream',
  stopStateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:StopStream',
});
const NOW = new Date('2026-11-23T15:00:00.000Z');

beforeAll(async () => {
  fx = await startStore('streams-drift');
});
afterAll(async () => fx.close());
beforeEach(() => {
  ml.reset();
  scheduler.reset();
  scheduler.on(CreateScheduleCommand).resolves({});
  scheduler.on(DeleteScheduleCommand).resolves({});
});

const CHANNEL_ARN = 'arn:aws:medialive:us-east-1:123456789012:channel:1234567';
const stateEvent = (state: string, time = '2026-11-23T15:00:00Z'): MediaLiveEvent => ({
  'detail-type': 'MediaLive Channel State Change',
  time,
  resources: [CHANNEL_ARN],
  detail: { channel_arn: CHANNEL_ARN, state, pipeline: '0' },
});
const alertEvent = (alarmState: 'SET' | 'CLEARED'): MediaLiveEvent => ({
  'detail-type': 'MediaLive Channel Alert',
  time: '2026-11-23T15:00:00Z',
  resources: [CHANNEL_ARN],
  detail: {
    channel_arn: CHANNEL_ARN,
    alarm_state: alarmState,
    alert_type: 'Video Not Detected',
    pipeline: '0',
  },
});
const handle = (event: MediaLiveEvent) =>
  onChannelEvent({ medialive, store: fx.store, schedules, now: () => NOW }, event);
const channelIs = (state: string, streamId: string) =>
  ml.on(DescribeChannelCommand).resolves({ State: state as ChannelState, Tags: { stream_id: streamId } });

describe('onChannelEvent (drift)', () => {
  it('records a channel stopped in the console: IDLE, session closed, reason kept, guard removed', async () => {
    const stream = await fx.seed(
      anIdleStream({ status: 'RUNNING', started: true, last_update: '1795000000' }),
    );
    channelIs('IDLE', stream.id);
    expect(await handle(stateEvent('STOPPED'))).toEqual({ outcome: 'recorded:stopped' });
    const after = await fx.store.get(stream.id);
    expect(after.status).toBe('IDLE');
    expect(after.started).toBe(false);
    expect(after.error?.code).toBe('ChannelStoppedOutsideWorkflow');
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: `${stream.id}-guard` });
  });

  it('does not trust the event alone: a STOPPED event for a channel that still runs changes nothing', async () => {
    const stream = await fx.seed(
      anIdleStream({ status: 'RUNNING', started: true, last_update: '1795000000' }),
    );
    channelIs('RUNNING', stream.id);
    expect(await handle(stateEvent('STOPPED'))).toEqual({ outcome: 'ignored:no-change' });
    expect((await fx.store.get(stream.id)).status).toBe('RUNNING');
  });

  it("ignores an event older than the record's last change", async () => {
    const stream = await fx.seed(
      anIdleStream({
        status: 'RUNNING',
        started: true,
        last_update: String(Date.parse('2026-11-23T16:00:00Z') / 1000),
      }),
    );
    channelIs('IDLE', stream.id);
    expect(await handle(stateEvent('STOPPED', '2026-11-23T15:59:00Z'))).toEqual({ outcome: 'ignored:stale' });
    expect((await fx.store.get(stream.id)).status).toBe('RUNNING');
  });

  it('records a channel started in the console as RUNNING, with a note', async () => {
    const stream = await fx.seed(anIdleStream({ last_update: '1795000000' }));
    channelIs('RUNNING', stream.id);
    expect(await handle(stateEvent('RUNNING'))).toEqual({ outcome: 'recorded:running' });
    const after = await fx.store.get(stream.id);
    expect(after.status).toBe('RUNNING');
    expect(after.error?.code).toBe('ChannelStartedOutsideWorkflow');
  });

  it('records FAILED when the channel was deleted outside the API', async () => {
    const stream = await fx.seed(anIdleStream({ last_update: '1795000000' }));
    ml.on(DescribeChannelCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));
    // Without tags the stream cannot be found: nothing to do.
    expect(await handle(stateEvent('DELETED'))).toEqual({ outcome: 'ignored:not-ours' });
    expect((await fx.store.get(stream.id)).status).toBe('IDLE');
  });

  it("records FAILED when MediaLive describes the stream's channel as DELETED outside a delete", async () => {
    const stream = await fx.seed(anIdleStream({ last_update: '1795000000' }));
    channelIs('DELETED', stream.id);
    expect(await handle(stateEvent('DELETED'))).toEqual({ outcome: 'recorded:deleted' });
    const after = await fx.store.get(stream.id);
    expect(after.status).toBe('FAILED');
    expect(after.error?.code).toBe('ChannelDeletedOutsideWorkflow');
  });

  it('ignores channels that belong to no stream of this deployment', async () => {
    ml.on(DescribeChannelCommand).resolves({ State: 'IDLE', Tags: {} });
    expect(await handle(stateEvent('STOPPED'))).toEqual({ outcome: 'ignored:not-ours' });
  });

  it('schedules a stop after stop_after_input_loss_seconds when the input is lost, and removes it when it is back', async () => {
    const stream = await fx.seed(
      anIdleStream({
        status: 'RUNNING',
        started: true,
        stop_after_input_loss_seconds: 120,
        last_update: '1795000000',
      }),
    );
    channelIs('RUNNING', stream.id);
    expect(await handle(alertEvent('SET'))).toEqual({ outcome: 'scheduled:input-loss-stop' });
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: `${stream.id}-input-loss`,
      ScheduleExpression: 'at(2026-11-23T15:02:00)',
      Target: expect.objectContaining({
        Arn: 'arn:aws:states:us-east-1:123456789012:stateMachine:StopStream',
      }),
    });
    expect(await handle(alertEvent('CLEARED'))).toEqual({ outcome: 'cleared:input-loss-stop' });
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: `${stream.id}-input-loss` });
  });

  it('does nothing on input loss for a stream without stop_after_input_loss_seconds', async () => {
    const stream = await fx.seed(
      anIdleStream({ status: 'RUNNING', started: true, last_update: '1795000000' }),
    );
    channelIs('RUNNING', stream.id);
    expect(await handle(alertEvent('SET'))).toEqual({ outcome: 'ignored:no-change' });
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
  });
});

describe('onChannelEvent (alerts kept for health)', () => {
  const alert = (state: 'SET' | 'CLEARED', time: string, type = 'Video Not Detected'): MediaLiveEvent => ({
    'detail-type': 'MediaLive Channel Alert',
    time,
    resources: [CHANNEL_ARN],
    detail: {
      channel_arn: CHANNEL_ARN,
      alarm_state: state,
      alarm_id: `alarm-${type}`,
      alert_type: type,
      pipeline: '1',
      message: state === 'SET' ? 'no video' : 'video back',
    },
  });

  it('records a SET alert as active on its pipeline, then its CLEARED, whatever the record last changed', async () => {
    const stream = await fx.seed(
      anIdleStream({ status: 'RUNNING', started: true, last_update: '1795999999' }),
    );
    channelIs('RUNNING', stream.id);
    await handle(alert('SET', '2026-11-23T14:59:00Z'));
    expect(await fx.store.listAlerts(stream.id, null)).toEqual([
      {
        id: 'alarm-Video Not Detected',
        pipeline: 1,
        type: 'Video Not Detected',
        message: 'no video',
        set_at: '2026-11-23T14:59:00.000Z',
        cleared_at: null,
      },
    ]);
    await handle(alert('CLEARED', '2026-11-23T14:59:30Z'));
    const [cleared] = await fx.store.listAlerts(stream.id, null);
    expect(cleared?.set_at).toBe('2026-11-23T14:59:00.000Z');
    expect(cleared?.cleared_at).toBe('2026-11-23T14:59:30.000Z');
  });

  it('ignores an alert event older than the one recorded (events arrive out of order)', async () => {
    const stream = await fx.seed(
      anIdleStream({ status: 'RUNNING', started: true, last_update: '1795000000' }),
    );
    channelIs('RUNNING', stream.id);
    await handle(alert('CLEARED', '2026-11-23T14:59:30Z', 'RTMP Output Failure'));
    await handle(alert('SET', '2026-11-23T14:59:00Z', 'RTMP Output Failure'));
    const [only] = await fx.store.listAlerts(stream.id, null);
    expect(only?.cleared_at).toBe('2026-11-23T14:59:30.000Z');
  });

  it('keeps only the alerts of the session when asked for those since its start', async () => {
    const stream = await fx.seed(
      anIdleStream({ status: 'RUNNING', started: true, last_update: '1795000000' }),
    );
    channelIs('RUNNING', stream.id);
    await handle(alert('SET', '2026-11-23T10:00:00Z', 'Old Alert'));
    await handle(alert('CLEARED', '2026-11-23T10:05:00Z', 'Old Alert'));
    await handle(alert('SET', '2026-11-23T14:00:00Z', 'New Alert'));
    const alerts = await fx.store.listAlerts(stream.id, '2026-11-23T12:00:00.000Z');
    expect(alerts.map((a) => a.type)).toEqual(['New Alert']);
  });
});

describe('onChannelEvent (an input without audio is still there)', () => {
  it('leaves the input-loss stop alone on an Audio Not Detected alert', async () => {
    const stream = await fx.seed(
      anIdleStream({
        status: 'RUNNING',
        started: true,
        last_update: '1795000000',
        stop_after_input_loss_seconds: 60,
      }),
    );
    channelIs('RUNNING', stream.id);
    const audio = (state: 'SET' | 'CLEARED'): MediaLiveEvent => ({
      ...alertEvent(state),
      detail: { ...alertEvent(state).detail, alert_type: 'Audio Not Detected' },
    });
    expect(await handle(audio('SET'))).toEqual({ outcome: 'ignored:no-change' });
    expect(await handle(audio('CLEARED'))).toEqual({ outcome: 'ignored:no-change' });
    expect(scheduler.commandCalls(DeleteScheduleCommand)).toHaveLength(0);
  });
});
