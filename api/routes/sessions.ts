/**
 * GET /streams/{id}/sessions: the stream's recording sessions, oldest first. A deleted stream's
 * sessions stay listed (their archive is kept); 404 only when the stream left nothing.
 */
import { pageHeaders, pageOf } from '../pagination.js';
import type { noBody, Reply, Services, StreamRequest } from '../route.js';
import type { listQuery } from '../schemas.js';
import { streamOrTrace } from './clips.js';

export async function listSessions(
  { id, query }: StreamRequest<typeof noBody, typeof listQuery>,
  services: Services,
): Promise<Reply> {
  const { store } = services;
  await streamOrTrace(services, id);
  const page = await store.listSessions(id, pageOf(query));
  return { body: page.items, headers: pageHeaders(`/streams/${id}/sessions`, query.limit, page.next_token) };
}
