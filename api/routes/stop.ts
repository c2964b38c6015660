/** POST /streams/{id}/stop: stops the channel; the session ends (the StopStream workflow). */
import { ActionNotAllowed } from '../../core/errors.js';
import { launch } from '../launch.js';
import type { noQuery, Reply, Services, StreamRequest } from '../route.js';
import type { emptyBody } from '../schemas.js';

export async function stopStream(
  { id, requestId }: StreamRequest<typeof emptyBody, typeof noQuery>,
  services: Services,
): Promise<Reply> {
  const current = await services.store.get(id);
  if (current.status === 'FAILED' && !current.live_channel_id) {
    throw new ActionNotAllowed(id, 'stop', current.status, `stream ${id} has no channel to stop`);
  }
  return { body: await launch(services, current, { action: 'stop', rule: 'stop', requestId }) };
}
