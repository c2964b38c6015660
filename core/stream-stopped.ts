/**
 * A stream whose channel is known stopped: IDLE, its session closed, its guard and input-loss stops
 * removed. StopStream's last step, StartStream's after a failed start, and the drift handler all end
 * here.
 */
import { epochString, type StreamError } from './stream.js';
import type { StreamSchedules } from './stream-schedules.js';
import type { StreamStore } from './stream-store.js';

export async function recordStopped(
  deps: { store: StreamStore; schedules?: StreamSchedules | undefined; now?: () => Date },
  input: { stream_id: string },
  error: StreamError | null = null,
): Promise<{ status: string }> {
  const at = deps.now?.() ?? new Date();
  const record = await deps.store.get(input.stream_id);
  if (record.current_session_id && record.started) {
    const session = await deps.store.getSession(record.id, record.current_session_id).catch(() => undefined);
    if (session && !session.stopped_at)
      await deps.store.putSession(record.id, { ...session, stopped_at: at.toISOString() });
  }
  // The stream no longer runs: its guard and input-loss stops must not fire later.
  await deps.schedules?.removeAll(record.id, ['guard', 'input-loss']);
  const updated = await deps.store.update(record, {
    status: 'IDLE',
    started: false,
    last_stopped: record.started ? epochString(at) : record.last_stopped,
    error,
  });
  return { status: updated.status };
}
