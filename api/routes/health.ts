/** GET /streams/{id}/health: inputs, alerts, output freshness, simulcast, per pipeline. */
import { FeatureNotConfigured } from '../../core/errors.js';
import { streamHealth } from '../../core/stream-health.js';
import type { MediaReaders, noBody, noQuery, Reply, Services, StreamRequest } from '../route.js';

export async function requireMedia(media: (() => Promise<MediaReaders>) | undefined): Promise<MediaReaders> {
  if (!media) throw new FeatureNotConfigured('media', 'this API has no MediaLive or CloudWatch client');
  return await media();
}

export async function getHealth(
  { id }: StreamRequest<typeof noBody, typeof noQuery>,
  { store, media, now }: Services,
): Promise<Reply> {
  const { medialive, cloudwatch, fetch } = await requireMedia(media);
  const record = await store.get(id);
  const health = await streamHealth(
    { medialive, cloudwatch, store, now, ...(fetch ? { fetch } : {}) },
    record,
  );
  return { body: health };
}
