/** GET /streams/{id}/sessions: the stream's recording sessions, oldest first. */
import { pageHeaders, pageOf } from '../pagination.js';
import type { noBody, Reply, Services, StreamRequest } from '../route.js';
import type { listQuery } from '../schemas.js';

export async function listSessions(
  { id, query }: StreamRequest<typeof noBody, typeof listQuery>,
  { store }: Services,
): Promise<Reply> {
  await store.get(id);
  const page = await store.listSessions(id, pageOf(query));
  return { body: page.items, headers: pageHeaders(`/streams/${id}/sessions`, query.limit, page.next_token) };
}
