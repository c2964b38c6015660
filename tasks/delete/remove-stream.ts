/**
 * DeleteStream's last step: every AWS resource is gone, so the record and its execution items go.
 * The archive in S3 is kept on purpose, and so is its index: the session and clip items stay, so a
 * deleted stream's recordings can still be listed, played, clipped into MP4 and deleted one by one.
 */
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export async function removeStream(
  deps: { store: StreamStore },
  input: StreamTaskInput,
): Promise<{ removed: boolean }> {
  const record = await deps.store.find(input.stream_id);
  if (!record) return { removed: false };
  await deps.store.deleteExecutions(record.id);
  await deps.store.deleteAlerts(record.id);
  await deps.store.delete(record);
  return { removed: true };
}

export const handler = taskHandler('remove-stream', (input: StreamTaskInput) =>
  removeStream({ store: clients.store() }, input),
);
