/**
 * Keeps a stream's record true when its lifecycle execution ended without running its Catch: an
 * abort (StopExecution, the console's Stop), the machine's own TimeoutSeconds, a Catch that failed
 * itself, or, locally, a run cut short by a crash or restart. Step Functions reports each of those
 * as a "Step Functions Execution Status Change" event; only such an event can tell the app.
 *
 * The record is changed only while it still names this execution and a transitional status; the
 * channel's real state (DescribeChannel) decides the status it leaves with:
 * - CREATING → FAILED: what the run created stays on the record, DELETE removes it.
 * - STARTING → RUNNING (channel running or starting: never unguarded, the auto-stop guard is set),
 *   IDLE (channel idle), else FAILED.
 * - STOPPING → IDLE with the session closed (channel idle or stopping), RUNNING (it still runs), else FAILED.
 * - DELETING → FAILED: the ids stay, DELETE again finishes the job.
 */
import { DescribeChannelCommand, type MediaLiveClient, NotFoundException } from '@aws-sdk/client-medialive';
import type { StreamError, StreamRecord, StreamStatus } from '../../core/stream.js';
import type { StreamSchedules } from '../../core/stream-schedules.js';
import { recordStopped } from '../../core/stream-stopped.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { ExecutionEndOutcome, ExecutionStatusEvent } from '../contracts.js';
import { taskHandler } from '../runtime.js';

const ENDED_WITHOUT_CATCH = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);
const TRANSITIONAL = new Set<StreamStatus>(['CREATING', 'STARTING', 'STOPPING', 'DELETING']);
const STREAM_ID = /^[0-9A-F]{16}$/;

/** The stream an execution is about: its input's `stream_id`, else the name's `<stream>-<action>-…`. */
export function streamIdOf(event: ExecutionStatusEvent): string | undefined {
  try {
    const input = JSON.parse(event.detail.input ?? 'null') as { stream_id?: unknown } | null;
    if (typeof input?.stream_id === 'string' && STREAM_ID.test(input.stream_id)) return input.stream_id;
  } catch {
    // Not JSON (or left out of the event): the execution's name carries the stream id too.
  }
  const fromName = event.detail.name?.split('-')[0];
  return fromName && STREAM_ID.test(fromName) ? fromName : undefined;
}

function describeEnd(event: ExecutionStatusEvent, action: string, at: Date): StreamError {
  const how =
    event.detail.status === 'ABORTED'
      ? 'was stopped before it finished'
      : event.detail.status === 'TIMED_OUT'
        ? 'ran past its time limit'
        : 'failed and could not record why';
  const why = [event.detail.error, event.detail.cause].filter(Boolean).join(': ');
  return {
    code:
      event.detail.status === 'TIMED_OUT' ? 'States.Timeout' : `Execution${capitalize(event.detail.status)}`,
    message: `the ${action} workflow ${how}${why ? ` (${why.slice(0, 500)})` : ''}`,
    action,
    at: at.toISOString(),
  };
}

function capitalize(text: string): string {
  return (
    text.charAt(0) +
    text
      .slice(1)
      .toLowerCase()
      .replace(/_(\w)/g, (_m, c: string) => c.toUpperCase())
  );
}

async function channelState(medialive: MediaLiveClient, record: StreamRecord): Promise<string> {
  if (!record.live_channel_id) return 'NONE';
  try {
    const out = await medialive.send(new DescribeChannelCommand({ ChannelId: record.live_channel_id }));
    return out.State ?? 'UNKNOWN';
  } catch (error) {
    if (error instanceof NotFoundException) return 'DELETED';
    throw error;
  }
}

export async function onExecutionEnd(
  deps: {
    medialive: MediaLiveClient;
    store: StreamStore;
    schedules?: StreamSchedules | undefined;
    now?: () => Date;
  },
  event: ExecutionStatusEvent,
): Promise<{ outcome: ExecutionEndOutcome; status?: StreamStatus }> {
  if (!ENDED_WITHOUT_CATCH.has(event.detail.status)) return { outcome: 'ignored:finished' };
  const streamId = streamIdOf(event);
  const record = streamId ? await deps.store.find(streamId) : undefined;
  if (!record) return { outcome: 'ignored:not-ours' };
  if (record.execution?.arn !== event.detail.executionArn || !TRANSITIONAL.has(record.status)) {
    // Another run owns the record now, or the Catch already left a truthful status.
    return { outcome: 'ignored:settled' };
  }
  const now = deps.now?.() ?? new Date();
  const error = describeEnd(event, record.execution.action, now);
  const state = await channelState(deps.medialive, record);
  const runs = state === 'RUNNING' || state === 'STARTING' || state === 'RECOVERING';

  let status: StreamStatus;
  if (record.status === 'STARTING' && runs) {
    // Never unguarded: the auto-stop guard first, as a start sets it.
    if (record.max_duration_seconds && deps.schedules) {
      await deps.schedules.set(
        record.id,
        'guard',
        new Date(now.getTime() + record.max_duration_seconds * 1000),
      );
    }
    status = 'RUNNING';
    await deps.store.update(record, {
      status,
      started: true,
      error: { ...error, message: `${error.message}; the channel runs: stop the stream to end it` },
    });
  } else if (
    (record.status === 'STARTING' || record.status === 'STOPPING') &&
    (state === 'IDLE' || state === 'STOPPING')
  ) {
    status = 'IDLE';
    await recordStopped(deps, { stream_id: record.id }, error);
  } else if (record.status === 'STOPPING' && runs) {
    status = 'RUNNING';
    await deps.store.update(
      record,
      { status, error: { ...error, message: `${error.message}; the channel still runs: stop it again` } },
      // STOPPING goes back to RUNNING only here: the stop never happened.
      { anyTransition: true },
    );
  } else {
    status = 'FAILED';
    const next =
      record.status === 'DELETING' || record.status === 'CREATING'
        ? 'what it created stays on the record: DELETE /streams/{id} removes it'
        : `the channel is ${state}`;
    await deps.store.update(record, { status, error: { ...error, message: `${error.message}; ${next}` } });
  }
  return { outcome: 'recorded', status };
}

export const handler = taskHandler(
  'execution-events',
  async (event: ExecutionStatusEvent & { stream_id?: string }, log) => {
    const result = await onExecutionEnd(
      { medialive: clients.medialive(), store: clients.store(), schedules: clients.schedules() },
      event,
    );
    log.info('execution ended', { status: event.detail?.status, outcome: result.outcome, to: result.status });
    return result;
  },
);
