/**
 * The links of a clip, made when the API answers:
 *
 * - `playback_url`: the API's own `GET /streams/{id}/clips/{clip_id}/playlist.m3u8?expires=&signature=`,
 *   which needs no credentials but a signature only this API can make (HMAC-SHA256 with the clip's
 *   secret) and an expiry (`PLAYBACK_LINK_SECONDS`). It answers the clip's playlist with each
 *   segment as a presigned S3 URL (`SEGMENT_URL_SECONDS`, cut to the signing credentials' life):
 *   plays in hls.js, Safari and VLC, and the archive bucket stays private. Deleting the clip
 *   revokes every link (its secret goes with it).
 * - `instant`: while the range lies in the stream's startover window, the live origin's (and the
 *   CDN's) time-shifted URL, `?start=&end=` (MediaPackage v1 time-shifted viewing): no copy, usable
 *   at once, until the range's start leaves the window (`expires_at`).
 * - each COMPLETE export's `download_url`: a presigned GET of the MP4 (`DOWNLOAD_URL_SECONDS`).
 */
import {
  type ClipExport,
  type ClipRecord,
  type ClipView,
  playbackSignature,
  toClipView,
} from '../core/clip.js';
import type { StreamRecord } from '../core/stream.js';
import type { Archive } from './archive-access.js';

/** A playback link lasts a week: shared in a chat or a ticket, it still plays days later. */
export const PLAYBACK_LINK_SECONDS = 7 * 86_400;
/**
 * Each answer of the playlist signs its segments for 6 hours: a player reads a VOD playlist once,
 * then fetches segments for as long as it plays (a long clip, paused, resumed).
 */
export const SEGMENT_URL_SECONDS = 6 * 3600;
/** A download link lasts an hour; GET the clip again for a new one. */
export const DOWNLOAD_URL_SECONDS = 3600;

export interface InstantUrls {
  /** The MediaPackage (locally: the local origin) endpoint with `start` and `end`. */
  origin: string;
  /** The same through the live CloudFront distribution; null when the stream is not on it. */
  cdn: string | null;
  /** When `start` leaves the startover window and the URLs stop playing the range. */
  expires_at: string;
}

export type ClipExportAnswer = ClipExport & { download_url: string | null };

export type ClipAnswer = Omit<ClipView, 'exports'> & {
  exports: ClipExportAnswer[];
  playback_url: string;
  playback_url_expires_at: string;
  instant: InstantUrls | null;
};

export function playbackUrl(
  baseUrl: string,
  clip: Pick<ClipRecord, 'id' | 'stream_id' | 'signing_key'>,
  now: Date,
): { url: string; expiresAt: Date } {
  const expires = Math.floor(now.getTime() / 1000) + PLAYBACK_LINK_SECONDS;
  const signature = playbackSignature(clip, expires);
  return {
    url: `${baseUrl}/streams/${clip.stream_id}/clips/${clip.id}/playlist.m3u8?expires=${expires}&signature=${signature}`,
    expiresAt: new Date(expires * 1000),
  };
}

/**
 * The time-shifted URLs of the range, or null when it is not (or no longer) in the startover
 * window of the stream's origin, or the stream has no origin (deleted) or no window.
 */
export function instantUrls(
  stream: StreamRecord | undefined,
  clip: Pick<ClipRecord, 'session_id' | 'session_started_at' | 'requested'>,
  now: Date,
): InstantUrls | null {
  if (!stream?.viewer_endpoint || stream.startover_window_seconds <= 0) return null;
  // The origin keeps the window of what the channel sends now: only the current session is there.
  if (stream.current_session_id !== clip.session_id) return null;
  const started = Date.parse(clip.session_started_at);
  const startMs = started + clip.requested.start * 1000;
  const endMs = started + clip.requested.end * 1000;
  const expires = startMs + stream.startover_window_seconds * 1000;
  if (!(expires > now.getTime()) || startMs > now.getTime()) return null;
  const query = `start=${Math.floor(startMs / 1000)}&end=${Math.ceil(endMs / 1000)}`;
  const withQuery = (url: string) => `${url}${url.includes('?') ? '&' : '?'}${query}`;
  return {
    origin: withQuery(stream.viewer_endpoint),
    cdn:
      stream.cloudfront_associated && stream.viewer_endpoint_cloudfront
        ? withQuery(stream.viewer_endpoint_cloudfront)
        : null,
    expires_at: new Date(expires).toISOString(),
  };
}

/** The clip as the API answers it, with its links. */
export async function clipAnswer(
  clip: ClipRecord,
  context: {
    baseUrl: string;
    stream: StreamRecord | undefined;
    archive: Archive | undefined;
    now: Date;
  },
): Promise<ClipAnswer> {
  const view = toClipView(clip);
  const playback = playbackUrl(context.baseUrl, clip, context.now);
  const { archive } = context;
  const exports = await Promise.all(
    view.exports.map(async (item): Promise<ClipExportAnswer> => {
      const download_url =
        item.status === 'COMPLETE' && archive
          ? await archive.presignGet(
              item.key,
              await archive.lifetime(DOWNLOAD_URL_SECONDS),
              `${clip.name}.mp4`,
            )
          : null;
      return { ...item, download_url };
    }),
  );
  return {
    ...view,
    exports,
    playback_url: playback.url,
    playback_url_expires_at: playback.expiresAt.toISOString(),
    instant: instantUrls(context.stream, clip, context.now),
  };
}

/**
 * The clip's playlist with each segment URI (relative to the playlist) replaced by a presigned URL
 * of its archive file; every other line as written by the split.
 */
export async function signedPlaylist(
  playlist: string,
  playlistKey: string,
  archive: Archive,
): Promise<string> {
  const dir = playlistKey.includes('/') ? playlistKey.slice(0, playlistKey.lastIndexOf('/') + 1) : '';
  const seconds = await archive.lifetime(SEGMENT_URL_SECONDS);
  const lines = await Promise.all(
    playlist.split('\n').map(async (line) => {
      const uri = line.trim();
      if (uri === '' || uri.startsWith('#')) return line;
      return archive.presignGet(`${dir}${uri}`, seconds);
    }),
  );
  return lines.join('\n');
}
