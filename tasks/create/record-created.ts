/** CreateStream's last step: the stream is IDLE with every endpoint filled in. */
import { MissingResource } from '../../core/errors.js';
import type { StreamRecord } from '../../core/stream.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export async function recordCreated(
  deps: { store: StreamStore },
  input: StreamTaskInput,
): Promise<{ status: string }> {
  const record = await deps.store.get(input.stream_id);
  const missing = (
    [
      'live_channel_id',
      'live_input_id',
      'package_channel_id',
      'package_endpoint_id',
      record.input_type === 'SRT_LISTENER' ? 'srt1' : 'rtmp1',
      'viewer_endpoint',
    ] as const
  ).filter((field) => !record[field]);
  if (missing.length > 0) throw new MissingResource(`stream ${record.id} is missing ${missing.join(', ')}`);
  const updated: StreamRecord = await deps.store.update(record, { status: 'IDLE', error: null });
  return { status: updated.status };
}

export const handler = taskHandler('record-created', (input: StreamTaskInput) =>
  recordCreated({ store: clients.store() }, input),
);
