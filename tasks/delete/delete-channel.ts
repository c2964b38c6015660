/**
 * Teardown step: DeleteChannel (only a stopped channel can go); an absent channel is done, and one
 * a cut-short create made without recording it is found by its name.
 */
import {
  ConflictException,
  DeleteChannelCommand,
  DescribeChannelCommand,
  type MediaLiveClient,
  NotFoundException,
} from '@aws-sdk/client-medialive';
import { ChannelNotIdle } from '../../core/errors.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';
import { unrecordedChannel } from './unrecorded.js';

export async function deleteChannel(
  deps: { medialive: MediaLiveClient; store: StreamStore },
  input: StreamTaskInput,
): Promise<{ state: string }> {
  let record = await deps.store.get(input.stream_id);
  if (!record.live_channel_id) {
    // Recorded first, so the rest of the teardown (the wait for DELETED) follows it.
    const orphan = await unrecordedChannel(deps.medialive, record.id);
    if (!orphan?.Id) return { state: 'NONE' };
    record = await deps.store.update(record, { live_channel_id: orphan.Id });
  }
  const channelId = record.live_channel_id as string;
  try {
    const described = await deps.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    if (described.State === 'DELETED' || described.State === 'DELETING') return { state: described.State };
    const out = await deps.medialive.send(new DeleteChannelCommand({ ChannelId: channelId }));
    return { state: out.State ?? 'DELETING' };
  } catch (error) {
    if (error instanceof NotFoundException) return { state: 'DELETED' };
    if (error instanceof ConflictException) throw new ChannelNotIdle(channelId, 'not deletable');
    throw error;
  }
}

export const handler = taskHandler('delete-channel', (input: StreamTaskInput) =>
  deleteChannel({ medialive: clients.medialive(), store: clients.store() }, input),
);
