/** DELETE /streams/{id}/live: takes the stream off the live distribution (the EndLive workflow). */
import { requireCloudFront } from '../deployment.js';
import { launch } from '../launch.js';
import type { noBody, noQuery, Reply, Services, StreamRequest } from '../route.js';

export async function endLive(
  { id, requestId }: StreamRequest<typeof noBody, typeof noQuery>,
  services: Services,
): Promise<Reply> {
  requireCloudFront(services.config);
  const current = await services.store.get(id);
  return { body: await launch(services, current, { action: 'end-live', rule: 'end-live', requestId }) };
}
