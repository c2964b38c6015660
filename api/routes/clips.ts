/**
 * The clips of a stream (records written by `POST /streams/{id}/split`): list, get, delete, and the
 * signed playlist that plays one. A deleted stream's clips stay: its sessions and clips answer
 * without the stream record, and 404 only when the stream has nothing left (core/clip-store.ts).
 */
import { CLIP_ID, type ClipRecord, validSignature } from '../../core/clip.js';
import { ClipNotFound, ExportInProgress, StreamNotFound } from '../../core/errors.js';
import type { StreamRecord } from '../../core/stream.js';
import { clipAnswer, signedPlaylist } from '../clip-links.js';
import { HttpError } from '../http.js';
import { pageHeaders } from '../pagination.js';
import type { ClipRequest, noBody, noQuery, Reply, Services, StreamRequest } from '../route.js';
import type { clipsQuery, playlistQuery } from '../schemas.js';

/** The stream's record, or undefined once deleted; StreamNotFound when the stream left nothing. */
export async function streamOrTrace(services: Services, id: string): Promise<StreamRecord | undefined> {
  const stream = await services.store.find(id);
  if (stream) return stream;
  const sessions = await services.store.listSessions(id, { limit: 1 });
  if (sessions.items.length > 0) return undefined;
  const clips = await services.clips.list(id, { limit: 1 });
  if (clips.items.length > 0) return undefined;
  throw new StreamNotFound(id);
}

export async function findClip(services: Services, id: string, clipId: string): Promise<ClipRecord> {
  if (!CLIP_ID.test(clipId)) throw new ClipNotFound(id, clipId);
  return services.clips.get(id, clipId);
}

export async function listClips(
  { id, query, baseUrl }: StreamRequest<typeof noBody, typeof clipsQuery>,
  services: Services,
): Promise<Reply> {
  const stream = await streamOrTrace(services, id);
  const page = await services.clips.list(id, {
    limit: query.limit,
    ...(query.next_token ? { next_token: query.next_token } : {}),
    ...(query.session_id ? { session_id: query.session_id } : {}),
  });
  const now = services.now();
  const context = { baseUrl, stream, archive: services.archive, now };
  const headers = pageHeaders(`/streams/${id}/clips`, query.limit, page.next_token);
  if (page.next_token && query.session_id) {
    headers.link =
      headers.link?.replace('>; rel', `&session_id=${encodeURIComponent(query.session_id)}>; rel`) ?? '';
  }
  return { body: await Promise.all(page.items.map((clip) => clipAnswer(clip, context))), headers };
}

export async function getClip(
  { id, clipId, baseUrl }: ClipRequest<typeof noBody, typeof noQuery>,
  services: Services,
): Promise<Reply> {
  const clip = await findClip(services, id, clipId);
  const stream = await services.store.find(id);
  return {
    body: await clipAnswer(clip, { baseUrl, stream, archive: services.archive, now: services.now() }),
  };
}

/** Removes what the clip wrote (its playlist, its MP4 exports) and its record; never the archive. */
export async function deleteClip(
  { id, clipId }: ClipRequest<typeof noBody, typeof noQuery>,
  services: Services,
): Promise<Reply> {
  const clip = await findClip(services, id, clipId);
  const running = Object.values(clip.exports ?? {}).find(
    (item) => item.status === 'SUBMITTED' || item.status === 'PROGRESSING',
  );
  if (running) throw new ExportInProgress(clip.id, running.id);
  if (!services.archive) throw new HttpError(503, 'ArchiveUnavailable', 'this API has no archive bucket');
  await services.archive.delete([clip.playlist.key, ...Object.values(clip.exports ?? {}).map((e) => e.key)]);
  await services.clips.delete(clip);
  return { body: { id: clip.id, stream_id: clip.stream_id, deleted: true } };
}

/**
 * The clip's HLS playlist with presigned segment URLs, for players that send no credentials: the
 * link's signature and expiry are checked instead (403 when wrong or expired).
 */
export async function clipPlaylist(
  { id, clipId, query }: ClipRequest<typeof noBody, typeof playlistQuery>,
  services: Services,
): Promise<Reply> {
  const clip = await findClip(services, id, clipId);
  const expires = Number(query.expires);
  if (!validSignature(clip, expires, query.signature)) {
    throw new HttpError(403, 'InvalidSignature', 'this link was not signed by this API for this clip');
  }
  if (expires * 1000 <= services.now().getTime()) {
    throw new HttpError(403, 'LinkExpired', 'this link has expired; get the clip again for a new one');
  }
  if (!services.archive) throw new HttpError(503, 'ArchiveUnavailable', 'this API has no archive bucket');
  const playlist = await services.archive.readText(clip.playlist.key);
  if (playlist === undefined) throw new ClipNotFound(id, clipId);
  return {
    body: undefined,
    text: {
      contentType: 'application/vnd.apple.mpegurl',
      body: await signedPlaylist(playlist, clip.playlist.key, services.archive),
    },
    // The segment URLs inside expire: a cache must not serve them after the fact.
    headers: { 'cache-control': 'private, max-age=60' },
  };
}
