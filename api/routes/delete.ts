/**
 * DELETE /streams/{id}: deletes the channel, input and origin, keeping the archive (the DeleteStream
 * workflow). A running stream is refused unless `force=true`, which stops it first.
 */
import { ActionNotAllowed } from '../../core/errors.js';
import { launch } from '../launch.js';
import type { noBody, Reply, Services, StreamRequest } from '../route.js';
import type { deleteQuery } from '../schemas.js';

export async function deleteStream(
  { id, query, requestId }: StreamRequest<typeof noBody, typeof deleteQuery>,
  services: Services,
): Promise<Reply> {
  const force = query.force === 'true';
  const current = await services.store.get(id);
  if (!force && (current.status === 'RUNNING' || current.status === 'STARTING')) {
    throw new ActionNotAllowed(
      id,
      'delete',
      current.status,
      `stream ${id} is ${current.status}: stop it first, or delete with ?force=true to stop and delete`,
    );
  }
  const rule = force ? 'force-delete' : 'delete';
  return { body: await launch(services, current, { action: 'delete', rule, options: { force }, requestId }) };
}
