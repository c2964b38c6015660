/**
 * DELETE /streams/{id}: deletes the channel, input and origin, keeping the archive (the DeleteStream
 * workflow). A running or starting stream is refused unless `force=true`, which stops it first.
 * With `force=true` a stream in any status goes, once no workflow of it runs: a run cut short can
 * never leave a stream that nothing removes.
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
  const running = current.execution ? await services.workflows.isRunning(current.execution.arn) : false;
  if (running && current.execution) {
    const { action, name } = current.execution;
    throw new ActionNotAllowed(
      id,
      'delete',
      current.status,
      `stream ${id} is ${current.status}: its ${action} workflow (${name}) is running; delete it once that ends (or stop the execution in the Step Functions console, then delete with ?force=true)`,
    );
  }
  if (!force && current.status !== 'IDLE' && current.status !== 'FAILED') {
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
