/** StartStream step: StartChannel (MediaLive accepts it only from IDLE). */
import { ConflictException, type MediaLiveClient, StartChannelCommand } from '@aws-sdk/client-medialive';
import { ChannelNotIdle, MissingResource } from '../../core/errors.js';
import type { StreamStore } from '../../core/stream-store.js';
import * as clients from '../clients.js';
import type { StreamTaskInput } from '../contracts.js';
import { taskHandler } from '../runtime.js';

export async function startChannel(
  deps: { medialive: MediaLiveClient; store: StreamStore },
  input: StreamTaskInput,
): Promise<{ state: string }> {
  const record = await deps.store.get(input.stream_id);
  if (!record.live_channel_id) throw new MissingResource(`stream ${record.id} has no MediaLive channel`);
  try {
    const out = await deps.medialive.send(new StartChannelCommand({ ChannelId: record.live_channel_id }));
    return { state: out.State ?? 'STARTING' };
  } catch (error) {
    if (error instanceof ConflictException) throw new ChannelNotIdle(record.live_channel_id, 'not startable');
    throw error;
  }
}

export const handler = taskHandler('start-channel', (input: StreamTaskInput) =>
  startChannel({ medialive: clients.medialive(), store: clients.store() }, input),
);
