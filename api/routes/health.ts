/** GET /streams/{id}/health: inputs, alerts, output freshness, simulcast, per pipeline. */
import { FeatureNotConfigured } from '../../core/errors.js';
import { streamHealth } from '../../core/stream-health.js';
import type { MediaReaders, noBody, noQuery, Reply, Services, StreamRequest } from '../route.js';

export function requireMedia(media: MediaReaders | undefined): MediaReaders {
  if (!media) throw new FeatureNotConfigured('media', 'this API has no MediaLive or CloudWatch client');
  return media;
}

export async function getHealth(
  { id }: StreamRequest<typeof noBody, typeof noQuery>,
  { store, media, now }: Services,
): Promise<Reply> {
  const { medialive, cloudwatch, fetch } = requireMedia(media);
  const record = await store.get(id);
  const health = await streamHealth(
    { medialive, cloudwatch, store, now, ...(fetch ? { fetch } : {}) },
    record,
  );
  return { body: health };
}
