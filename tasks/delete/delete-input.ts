/**
 * Teardown step: DeleteInput once MediaLive has detached it from the deleted channel. While it is
 * still ATTACHED the task throws `InputNotDetached`, which the machine retries with backoff.
 */
import {
  ConflictException,
  DeleteInputCommand,
  DescribeInputCommand,
  type MediaLiveClient,
  NotFoundException,
} from '@aws-sdk/client-medialive';
import { InputNotDetached } from '../../core/errors.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';
import { unrecordedInput } from './unrecorded.js';

export async function deleteInput(
  deps: { medialive: MediaLiveClient; store: StreamStore },
  input: StreamTaskInput,
): Promise<{ state: string }> {
  let record = await deps.store.get(input.stream_id);
  if (!record.live_input_id) {
    const orphan = await unrecordedInput(deps.medialive, record.id);
    if (!orphan?.Id) return { state: 'NONE' };
    record = await deps.store.update(record, { live_input_id: orphan.Id });
  }
  const inputId = record.live_input_id as string;
  try {
    const described = await deps.medialive.send(new DescribeInputCommand({ InputId: inputId }));
    if (described.State === 'DELETED' || described.State === 'DELETING') return { state: described.State };
    if (described.State === 'ATTACHED')
      throw new InputNotDetached(`input ${inputId} is still attached to a channel`);
    await deps.medialive.send(new DeleteInputCommand({ InputId: inputId }));
    return { state: 'DELETED' };
  } catch (error) {
    if (error instanceof NotFoundException) return { state: 'DELETED' };
    if (error instanceof ConflictException)
      throw new InputNotDetached(`input ${inputId} is not deletable yet`);
    throw error;
  }
}

export const handler = taskHandler('delete-input', (input: StreamTaskInput) =>
  deleteInput({ medialive: clients.medialive(), store: clients.store() }, input),
);
