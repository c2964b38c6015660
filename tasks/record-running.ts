/** StartStream's last step: the stream is RUNNING and its new session is recorded. */
import { epochString, type RecordingSession } from '../core/stream.js';
import type { StreamStore } from '../core/stream-store.js';
import type { PendingSession } from './configure-session.js';
import { clients, taskHandler } from './runtime.js';

export interface RecordRunningInput {
  stream_id: string;
  session: PendingSession;
}

export async function recordRunning(
  deps: { store: StreamStore; now?: () => Date },
  input: RecordRunningInput,
): Promise<{ session_id: string }> {
  const at = deps.now?.() ?? new Date();
  const record = await deps.store.get(input.stream_id);
  const session: RecordingSession = { ...input.session, started_at: at.toISOString(), stopped_at: null };
  // The session first: a retry after a lost record write writes the same item again.
  await deps.store.putSession(record.id, session);
  await deps.store.update(record, {
    status: 'RUNNING',
    started: true,
    last_started: epochString(at),
    current_session_id: session.id,
    archives_path: { ...record.archives_path, [session.id]: session.uri },
    error: null,
  });
  return { session_id: session.id };
}

export const handler = taskHandler('record-running', (input: RecordRunningInput) =>
  recordRunning({ store: clients.store() }, input),
);
