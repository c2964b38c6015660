/**
 * StopChannel, tolerant: a channel already IDLE, STOPPING or gone needs nothing. Used by StopStream,
 * by StartStream's cleanup after a failed start and by DeleteStream (force).
 */
import {
  ConflictException,
  DescribeChannelCommand,
  type MediaLiveClient,
  NotFoundException,
  StopChannelCommand,
} from '@aws-sdk/client-medialive';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

const NOTHING_TO_STOP = [
  'IDLE',
  'STOPPING',
  'DELETING',
  'DELETED',
  'CREATE_FAILED',
  'CREATING',
  'UPDATING',
  'UPDATE_FAILED',
];

export async function stopChannel(
  deps: { medialive: MediaLiveClient; store: StreamStore },
  input: StreamTaskInput,
): Promise<{ state: string }> {
  const record = await deps.store.get(input.stream_id);
  const channelId = record.live_channel_id;
  if (!channelId) return { state: 'NONE' };
  try {
    const described = await deps.medialive.send(new DescribeChannelCommand({ ChannelId: channelId }));
    const state = described.State ?? 'UNKNOWN';
    if (NOTHING_TO_STOP.includes(state)) return { state };
    const out = await deps.medialive.send(new StopChannelCommand({ ChannelId: channelId }));
    return { state: out.State ?? 'STOPPING' };
  } catch (error) {
    if (error instanceof NotFoundException) return { state: 'DELETED' };
    // Lost a race with another stop: the channel is already on its way to IDLE.
    if (error instanceof ConflictException) return { state: 'STOPPING' };
    throw error;
  }
}

export const handler = taskHandler('stop-channel', (input: StreamTaskInput) =>
  stopChannel({ medialive: clients.medialive(), store: clients.store() }, input),
);
