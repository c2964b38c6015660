/** POST /streams/{id}/live: puts the stream on the live CloudFront distribution (the GoLive workflow). */
import { requireCloudFront } from '../deployment.js';
import { launch } from '../launch.js';
import type { noQuery, Reply, Services, StreamRequest } from '../route.js';
import type { emptyBody } from '../schemas.js';

export async function goLive(
  { id, requestId }: StreamRequest<typeof emptyBody, typeof noQuery>,
  services: Services,
): Promise<Reply> {
  requireCloudFront(services.config);
  const current = await services.store.get(id);
  return { body: await launch(services, current, { action: 'go-live', rule: 'go-live', requestId }) };
}
