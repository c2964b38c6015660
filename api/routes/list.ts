/** GET /streams: every stream, oldest first, without its stream keys. */
import { toSummary } from '../../core/stream.js';
import { pageHeaders, pageOf } from '../pagination.js';
import type { noBody, Reply, Request, Services } from '../route.js';
import type { listQuery } from '../schemas.js';

export async function listStreams(
  { query }: Request<typeof noBody, typeof listQuery>,
  { store }: Services,
): Promise<Reply> {
  const page = await store.list(pageOf(query));
  return { body: page.items.map(toSummary), headers: pageHeaders('/streams', query.limit, page.next_token) };
}
