/**
 * First step of StartStream and StopStream. An execution the API started finds the stream already
 * in STARTING/STOPPING under its own name. An execution EventBridge Scheduler started (a scheduled
 * start or stop, the auto-stop guard, the input-loss stop) claims the stream here with the same
 * conditional write the API uses; if the stream's status does not allow the action, the execution
 * ends, and the record says what happened to the schedule.
 */
import { ActionNotAllowed } from '../../core/errors.js';
import type { SchedulePurpose } from '../../core/schedules.js';
import { isAllowed, type StreamRecord } from '../../core/stream.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { ClaimInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export function triggerOf(requestId: string): SchedulePurpose | 'api' {
  const match = /^schedule:[0-9A-F]{16}-(start|stop|guard|input-loss)$/.exec(requestId);
  return (match?.[1] as SchedulePurpose | undefined) ?? 'api';
}

export async function claimStream(
  deps: { store: StreamStore; now?: () => Date },
  input: ClaimInput,
): Promise<{ trigger: string }> {
  const record = await deps.store.get(input.stream_id);
  const trigger = triggerOf(input.request_id);
  if (record.execution?.arn === input.execution_arn) return { trigger };
  const at = (deps.now?.() ?? new Date()).toISOString();
  const changes: Partial<StreamRecord> = {};
  if (record.schedule && (trigger === 'start' || trigger === 'stop')) {
    changes.schedule = { ...record.schedule, [`${trigger}_fired_at`]: at };
  }
  if (!isAllowed(input.action, record.status) || (input.action === 'stop' && !record.live_channel_id)) {
    if (changes.schedule) {
      changes.schedule.last_result = `${trigger} schedule fired at ${at} but the stream was ${record.status}: nothing done`;
      await deps.store.update(record, changes);
    }
    throw new ActionNotAllowed(
      record.id,
      input.action,
      record.status,
      `scheduled ${input.action} skipped: the stream was ${record.status}`,
    );
  }
  if (changes.schedule) changes.schedule.last_result = `${trigger} schedule fired at ${at}`;
  if (trigger === 'guard') {
    changes.auto_stopped = {
      reason: 'max_duration',
      message: `stopped after max_duration_seconds (${record.max_duration_seconds} s)`,
      at,
    };
  }
  if (trigger === 'input-loss') {
    changes.auto_stopped = {
      reason: 'input_loss',
      message: `stopped after ${record.stop_after_input_loss_seconds} s without input`,
      at,
    };
  }
  const execution = {
    action: input.action,
    name: input.execution_name,
    arn: input.execution_arn,
    started_at: at,
  };
  await deps.store.update(record, {
    ...changes,
    status: input.action === 'start' ? 'STARTING' : 'STOPPING',
    error: null,
    execution,
  });
  await deps.store.putExecution(record.id, execution);
  return { trigger };
}

export const handler = taskHandler('claim-stream', (input: ClaimInput) =>
  claimStream({ store: clients.store() }, input),
);
