/** GET /streams/{id}: one stream, with its RTMP URLs and stream keys. */
import type { noBody, noQuery, Reply, Services, StreamRequest } from '../route.js';

export async function getStream(
  { id }: StreamRequest<typeof noBody, typeof noQuery>,
  { store }: Services,
): Promise<Reply> {
  return { body: await store.get(id) };
}
