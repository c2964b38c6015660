/**
 * Keeps records true when a channel changes outside a workflow, from MediaLive's EventBridge events
 * (best effort, one per pipeline, states CREATED/STARTING/RUNNING/STOPPING/STOPPED/DELETED: never
 * IDLE). An event only points at a change: the channel's state is read with DescribeChannel before
 * the record changes, and an event older than the record's last change is ignored.
 *
 * - STOPPED while the record says RUNNING (stopped in the console): IDLE, session closed, reason kept.
 * - RUNNING while the record says IDLE or FAILED (started in the console): RUNNING, with a note.
 * - DELETED while the record is not DELETING: FAILED, the channel is gone.
 * - Input-loss alert SET on a running stream with `stop_after_input_loss_seconds`: a one-time stop
 *   schedule at that delay; CLEARED: that schedule is removed.
 * - Every alert is recorded beside the stream (the health route reads them), and an input-loss
 *   alert that changes whether the input is there puts "Stream Input Lost/Restored" on the bus.
 */
import { DescribeChannelCommand, type MediaLiveClient, NotFoundException } from '@aws-sdk/client-medialive';
import type { StreamRecord } from '../../core/stream.js';
import { INPUT_LOSS_ALERT, isInputLoss } from '../../core/stream-alerts.js';
import type { StreamSchedules } from '../../core/stream-schedules.js';
import { recordStopped } from '../../core/stream-stopped.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { DriftOutcome, MediaLiveEvent } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export { INPUT_LOSS_ALERT };

export async function onChannelEvent(
  deps: {
    medialive: MediaLiveClient;
    store: StreamStore;
    schedules: StreamSchedules | undefined;
    now?: () => Date;
  },
  event: MediaLiveEvent,
): Promise<{ outcome: DriftOutcome }> {
  const channelArn = event.detail.channel_arn ?? event.resources?.[0] ?? '';
  const channelId = channelArn.split(':').pop() ?? '';
  let state: string;
  let streamId: string | undefined;
  try {
    const described = await deps.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    state = described.State ?? 'UNKNOWN';
    streamId = described.Tags?.stream_id;
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
    state = 'DELETED';
  }
  const record = streamId ? await deps.store.find(streamId) : undefined;
  if (!record || record.live_channel_id !== channelId) return { outcome: 'ignored:not-ours' };
  // Alerts are kept whatever the record's last change: each alarm orders its own events.
  if (event['detail-type'] === 'MediaLive Channel Alert') await recordAlert(deps.store, record, event);
  if (Date.parse(event.time) < Number(record.last_update) * 1000) return { outcome: 'ignored:stale' };
  const now = deps.now?.() ?? new Date();

  if (event['detail-type'] === 'MediaLive Channel Alert') {
    if (!INPUT_LOSS_ALERT.test(event.detail.alert_type ?? '') || !deps.schedules)
      return { outcome: 'ignored:no-change' };
    if (
      event.detail.alarm_state === 'SET' &&
      record.status === 'RUNNING' &&
      record.stop_after_input_loss_seconds
    ) {
      await deps.schedules.set(
        record.id,
        'input-loss',
        new Date(now.getTime() + record.stop_after_input_loss_seconds * 1000),
      );
      return { outcome: 'scheduled:input-loss-stop' };
    }
    if (event.detail.alarm_state === 'CLEARED') {
      await deps.schedules.remove(record.id, 'input-loss');
      return { outcome: 'cleared:input-loss-stop' };
    }
    return { outcome: 'ignored:no-change' };
  }

  if (state === 'IDLE' && record.status === 'RUNNING') {
    // The session ends when the channel stopped (the event's time), not when this handler runs.
    const stoppedAt = event['detail-type'] === 'MediaLive Channel State Change' ? new Date(event.time) : now;
    await recordStopped(
      { ...deps, now: () => (Number.isNaN(stoppedAt.getTime()) ? now : stoppedAt) },
      { stream_id: record.id },
      {
        code: 'ChannelStoppedOutsideWorkflow',
        message: 'the channel was stopped outside the API (console, CLI or MediaLive)',
        action: 'drift',
        at: now.toISOString(),
      },
    );
    await deps.schedules?.removeAll(record.id, ['guard', 'input-loss']);
    return { outcome: 'recorded:stopped' };
  }
  if (state === 'RUNNING' && (record.status === 'IDLE' || record.status === 'FAILED')) {
    // A running channel is never left unguarded: the auto-stop guard first, as a start sets it.
    if (record.max_duration_seconds && deps.schedules) {
      await deps.schedules.set(
        record.id,
        'guard',
        new Date(now.getTime() + record.max_duration_seconds * 1000),
      );
    }
    await deps.store.update(record, {
      status: 'RUNNING',
      started: true,
      error: {
        code: 'ChannelStartedOutsideWorkflow',
        message: 'the channel was started outside the API: no recording session was set up for it',
        action: 'drift',
        at: now.toISOString(),
      },
    });
    return { outcome: 'recorded:running' };
  }
  if (state === 'DELETED' && record.status !== 'DELETING') {
    await deps.schedules?.removeAll(record.id, ['guard', 'input-loss']);
    await deps.store.update(record, {
      status: 'FAILED',
      started: false,
      error: {
        code: 'ChannelDeletedOutsideWorkflow',
        message: 'the channel was deleted outside the API',
        action: 'drift',
        at: now.toISOString(),
      },
    });
    return { outcome: 'recorded:deleted' };
  }
  return { outcome: 'ignored:no-change' };
}

/** Records the alert; an input-loss alert that changes the input's presence goes on the bus. */
async function recordAlert(store: StreamStore, record: StreamRecord, event: MediaLiveEvent): Promise<void> {
  const { detail } = event;
  const state =
    detail.alarm_state === 'CLEARED' ? 'CLEARED' : detail.alarm_state === 'SET' ? 'SET' : undefined;
  if (!state) return;
  const type = detail.alert_type ?? 'Unknown';
  const pipeline = Number(detail.pipeline ?? '0') || 0;
  const at = Number.isNaN(Date.parse(event.time))
    ? new Date().toISOString()
    : new Date(event.time).toISOString();
  const recorded = await store.recordAlert(record.id, {
    // Without an alarm id, one alarm per type and pipeline.
    id: detail.alarm_id ?? `${type}:${pipeline}`,
    pipeline,
    type,
    message: detail.message ?? '',
    state,
    at,
  });
  if (!recorded?.changed || !isInputLoss(recorded.alert)) return;
  await store.publishInputChange({
    stream_id: record.id,
    stream_name: record.name,
    pipeline,
    input: state === 'SET' ? 'LOST' : 'RESTORED',
    session_id: record.current_session_id,
    alert_type: type,
    message: detail.message ?? '',
    at,
  });
}

export const handler = taskHandler(
  'channel-events',
  async (event: MediaLiveEvent & { stream_id?: string }, log) => {
    const result = await onChannelEvent(
      { medialive: clients.medialive(), store: clients.store(), schedules: clients.schedules() },
      event,
    );
    log.info('channel event', {
      detail_type: event['detail-type'],
      state: event.detail?.state,
      outcome: result.outcome,
    });
    return result;
  },
);
