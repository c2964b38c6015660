/** StartStream's last step: the stream is RUNNING and its new session is recorded. */
import { SessionNotFound } from '../../core/errors.js';
import { epochString, type RecordingSession } from '../../core/stream.js';
import type { StreamSchedules } from '../../core/stream-schedules.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { RecordRunningInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export async function recordRunning(
  deps: { store: StreamStore; schedules?: StreamSchedules | undefined; now?: () => Date },
  input: RecordRunningInput,
): Promise<{ session_id: string }> {
  const record = await deps.store.get(input.stream_id);
  // A retry (the record write lost its optimistic lock, or the answer was lost) keeps the first
  // attempt's start: the session's sort key holds `started_at`, so a new time would add a second item.
  const earlier = await deps.store.getSession(record.id, input.session.id).catch((error: unknown) => {
    if (error instanceof SessionNotFound) return undefined;
    throw error;
  });
  const at = earlier
    ? new Date(earlier.started_at)
    : input.running_at && !Number.isNaN(Date.parse(input.running_at))
      ? new Date(input.running_at)
      : (deps.now?.() ?? new Date());
  const session: RecordingSession = { ...input.session, started_at: at.toISOString(), stopped_at: null };
  // The session first: a retry after a lost record write writes the same item again.
  await deps.store.putSession(record.id, session);
  // The auto-stop guard before the record says RUNNING: a stream is never RUNNING without it.
  if (record.max_duration_seconds && deps.schedules) {
    await deps.schedules.set(record.id, 'guard', new Date(at.getTime() + record.max_duration_seconds * 1000));
  }
  await deps.store.update(record, {
    status: 'RUNNING',
    started: true,
    last_started: epochString(at),
    current_session_id: session.id,
    archives_path: { ...record.archives_path, [session.id]: session.uri },
    error: null,
    auto_stopped: null,
  });
  return { session_id: session.id };
}

export const handler = taskHandler('record-running', (input: RecordRunningInput) =>
  recordRunning({ store: clients.store(), schedules: clients.schedules() }, input),
);
