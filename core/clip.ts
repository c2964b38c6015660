/**
 * A clip: one range of one recording session, written by a split as a VOD HLS playlist over the
 * archive files, kept as a record (core/clip-store.ts) so that it can be listed, played, exported to
 * MP4 and deleted later, even once its stream is deleted (the archive and its index stay).
 *
 * Times are seconds from the session's start, like the split's `timestamp_list`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClipRange } from './clip-planner.js';

export type { ClipRange } from './clip-planner.js';

/** Clip ids: 12 hex digits of the creation time in ms, then 8 random ones. Sorted by time as text. */
export const CLIP_ID = /^[0-9a-f]{20}$/;
/** Export ids: the same shape. */
export const EXPORT_ID = /^[0-9a-f]{20}$/;

/** Exports live under their own top-level prefix: never inside a session's archive. */
export const EXPORT_PREFIX = 'clip-exports';

export const EXPORT_STATUSES = ['SUBMITTED', 'PROGRESSING', 'COMPLETE', 'ERROR'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** An MP4 export of a clip: exactly the requested range, to the frame. */
export interface ClipExport {
  id: string;
  status: ExportStatus;
  /** S3 key of the MP4 (written once COMPLETE). */
  key: string;
  /**
   * The range the MP4 holds, seconds from the session start: the requested one, or less where the
   * playlist ends before it (a clip split while its end was not archived yet).
   */
  range?: ClipRange;
  requested_at: string;
  finished_at: string | null;
  /** The ExportClip execution that makes it. */
  execution: string | null;
  /** MediaConvert's (locally: the local double's) job id, once submitted. */
  job_id: string | null;
  duration_ms: number | null;
  /** Why it failed (ERROR). */
  error: string | null;
}

export interface ClipRecord {
  id: string;
  stream_id: string;
  session_id: string;
  /** `<name_modifier>_<index in the split>`, as the playlist is named. */
  name: string;
  requested: ClipRange;
  /** What the playlist plays: whole archive files, so at most one file length more each side. */
  covered: ClipRange;
  /** Ranges of the request no archive file covers. */
  missing: ClipRange[];
  /** Part of the request recorded after the split (live session): not in the playlist. */
  not_available_yet: ClipRange | null;
  created_at: string;
  /** Absolute time of the session's start (for instant URLs and exports). */
  session_started_at: string;
  segment_length: number;
  playlist: { key: string; uri: string; segments: number };
  /** By export id. */
  exports: Record<string, ClipExport>;
  /** Secret of the clip's playback links (HMAC key); never in an answer. */
  signing_key: string;
}

/** The clip as the API shows it: no signing key, exports newest first. */
export type ClipView = Omit<ClipRecord, 'signing_key' | 'exports'> & { exports: ClipExport[] };

export function toClipView(record: ClipRecord): ClipView {
  const { signing_key: _secret, exports, ...rest } = record;
  const list = Object.values(exports ?? {}).sort((a, b) => b.requested_at.localeCompare(a.requested_at));
  return { ...rest, exports: list };
}

/** A new clip or export id at `at`. */
export function newTimeId(at: Date, random = randomBytes(4)): string {
  return `${at.getTime().toString(16).padStart(12, '0')}${random.toString('hex')}`.slice(0, 20);
}

export function newSigningKey(): string {
  return randomBytes(32).toString('base64url');
}

export function exportKey(streamId: string, clipId: string, exportId: string): string {
  return `${EXPORT_PREFIX}/${streamId}/${clipId}/${exportId}.mp4`;
}

/** The signature of a playback link: HMAC-SHA256 of what it grants, keyed by the clip's secret. */
export function playbackSignature(
  clip: Pick<ClipRecord, 'id' | 'stream_id' | 'signing_key'>,
  expires: number,
): string {
  return createHmac('sha256', clip.signing_key)
    .update(`playlist:${clip.stream_id}:${clip.id}:${expires}`)
    .digest('hex');
}

/** Whether `signature` is the one this API made for `expires` (constant time). */
export function validSignature(
  clip: Pick<ClipRecord, 'id' | 'stream_id' | 'signing_key'>,
  expires: number,
  signature: string,
): boolean {
  const expected = Buffer.from(playbackSignature(clip, expires), 'hex');
  const given = /^[0-9a-f]{64}$/.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(32);
  return timingSafeEqual(expected, given) && /^[0-9a-f]{64}$/.test(signature);
}
