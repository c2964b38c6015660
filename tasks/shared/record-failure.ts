/**
 * The Catch of every workflow ends here: the stream records why its workflow failed, readable by a
 * person, in the status the workflow decided (FAILED, or IDLE when the channel is known stopped,
 * or unchanged for a CDN change).
 */
import type { StreamError, StreamStatus } from '../../core/stream.js';
import type { StreamSchedules } from '../../core/stream-schedules.js';
import { recordStopped } from '../../core/stream-stopped.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { RecordFailureInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export function describeFailure(action: string, error: RecordFailureInput['error'], at: Date): StreamError {
  const code = error?.Error ?? 'Unknown';
  let message = error?.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: string };
    if (parsed?.errorMessage) message = parsed.errorMessage;
  } catch {
    // Not Lambda's JSON: the cause is plain text (States.Timeout and friends).
  }
  if (code === 'States.Timeout') message = message || `the ${action} workflow ran past its time limit`;
  return {
    code,
    message: message.slice(0, 1000) || `the ${action} workflow failed`,
    action,
    at: at.toISOString(),
  };
}

export async function recordFailure(
  deps: { store: StreamStore; schedules?: StreamSchedules | undefined; now?: () => Date },
  input: RecordFailureInput,
): Promise<{ status: StreamStatus }> {
  const at = deps.now?.() ?? new Date();
  const error = describeFailure(input.action, input.error, at);
  if (input.status === 'IDLE') {
    await recordStopped(deps, { stream_id: input.stream_id }, error);
    return { status: 'IDLE' };
  }
  const record = await deps.store.get(input.stream_id);
  const status = input.status === 'KEEP' ? record.status : 'FAILED';
  await deps.store.update(record, { status, error });
  return { status };
}

export const handler = taskHandler('record-failure', (input: RecordFailureInput) =>
  recordFailure({ store: clients.store(), schedules: clients.schedules() }, input),
);
