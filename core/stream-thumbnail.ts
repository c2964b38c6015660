/**
 * The newest picture of a running stream's pipeline: MediaLive's DescribeThumbnails (the channel's
 * ThumbnailConfiguration is AUTO, core/encoder-profile.ts), which answers the latest JPEG of each
 * pipeline as base64 while the channel runs. Local mode's MediaLive answers the same from FFmpeg.
 */
import {
  DescribeThumbnailsCommand,
  type MediaLiveClient,
  NotFoundException,
} from '@aws-sdk/client-medialive';
import { ThumbnailNotAvailable } from './errors.js';
import type { StreamRecord } from './stream.js';

export interface Thumbnail {
  body: Buffer;
  contentType: string;
  at: string | null;
}

export async function latestThumbnail(
  medialive: MediaLiveClient,
  record: StreamRecord,
  pipeline: number,
): Promise<Thumbnail> {
  if (!record.live_channel_id || record.status !== 'RUNNING') {
    throw new ThumbnailNotAvailable(
      `stream ${record.id} is ${record.status}: thumbnails exist while it runs`,
    );
  }
  try {
    const out = await medialive.send(
      new DescribeThumbnailsCommand({
        ChannelId: record.live_channel_id,
        PipelineId: String(pipeline),
        ThumbnailType: 'CURRENT_ACTIVE',
      }),
    );
    const thumbnail = out.ThumbnailDetails?.find((d) => d.PipelineId === String(pipeline))?.Thumbnails?.[0];
    if (thumbnail?.Body) {
      return {
        body: Buffer.from(thumbnail.Body, 'base64'),
        contentType: thumbnail.ContentType ?? 'image/jpeg',
        at: thumbnail.TimeStamp ? thumbnail.TimeStamp.toISOString() : null,
      };
    }
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
  }
  throw new ThumbnailNotAvailable(`pipeline ${pipeline} of stream ${record.id} has no thumbnail yet`);
}
