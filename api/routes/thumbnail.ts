/** GET /streams/{id}/thumbnail?pipeline=: the newest JPEG of a running stream's pipeline. */

import { pipelinesOf } from '../../core/archive-naming.js';
import { InvalidRequest } from '../../core/errors.js';
import { latestThumbnail } from '../../core/stream-thumbnail.js';
import type { noBody, Reply, Services, StreamRequest } from '../route.js';
import type { thumbnailQuery } from '../schemas.js';
import { requireMedia } from './health.js';

export async function getThumbnail(
  { id, query }: StreamRequest<typeof noBody, typeof thumbnailQuery>,
  { store, media }: Services,
): Promise<Reply> {
  const { medialive } = await requireMedia(media);
  const record = await store.get(id);
  if (query.pipeline >= pipelinesOf(record.channel_class)) {
    throw new InvalidRequest([
      { field: 'pipeline', reason: `a ${record.channel_class} channel has pipeline 0 only` },
    ]);
  }
  const thumbnail = await latestThumbnail(medialive, record, query.pipeline);
  return {
    body: null,
    headers: {
      'cache-control': 'no-store',
      ...(thumbnail.at ? { 'x-thumbnail-time': thumbnail.at } : {}),
    },
    binary: { contentType: thumbnail.contentType, data: thumbnail.body },
  };
}
