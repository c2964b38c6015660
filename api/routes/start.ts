/** POST /streams/{id}/start: a new recording session (the StartStream workflow). */
import { ActionNotAllowed, InvalidRequest } from '../../core/errors.js';
import type { StreamRecord } from '../../core/stream.js';
import { pathFieldProblem } from '../archive-check.js';
import { requireEncryption } from '../deployment.js';
import { launch } from '../launch.js';
import type { noQuery, Reply, Services, StreamRequest } from '../route.js';
import type { startStreamBody } from '../schemas.js';

export async function startStream(
  { id, body, requestId }: StreamRequest<typeof startStreamBody, typeof noQuery>,
  services: Services,
): Promise<Reply> {
  requireEncryption(services.config, body.key_rotation_interval);
  const current = await services.store.get(id);
  if (current.status === 'FAILED' && !current.live_channel_id) {
    throw new ActionNotAllowed(
      id,
      'start',
      current.status,
      `stream ${id} has no channel (its creation failed): delete it and create it again`,
    );
  }
  const changes: Partial<StreamRecord> = {};
  if (body.startover_window_seconds !== undefined)
    changes.startover_window_seconds = body.startover_window_seconds;
  if (body.key_rotation_interval !== undefined) changes.key_rotation_interval = body.key_rotation_interval;
  const pathProblem = await pathFieldProblem(services, body.path);
  if (pathProblem) throw new InvalidRequest([pathProblem], `path ${pathProblem.reason}`);
  const options = body.path !== undefined ? { path: body.path } : {};
  return {
    body: await launch(services, current, { action: 'start', rule: 'start', changes, options, requestId }),
  };
}
