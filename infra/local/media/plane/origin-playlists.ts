/**
 * The playlists the local MediaPackage origin answers with, and the subset of MediaPackage v1's
 * time-shifted viewing it honours.
 *
 * Supported (`/out/v1/<hash>/<manifest>.m3u8?start=…&end=…`):
 * - no query: a live sliding window of the last 60 s (MediaPackage's default ManifestWindowSeconds);
 * - `start` and/or `end`, each epoch seconds (`1700000000`, decimals allowed) or ISO 8601
 *   (`2026-11-23T10:00:00Z`): every segment overlapping [start, end); `start` alone runs to the live
 *   edge and keeps growing; an `end` in the past gives a VOD playlist (`EXT-X-PLAYLIST-TYPE:VOD`,
 *   `EXT-X-ENDLIST`); times outside the startover window are clamped to what is kept;
 * - the master playlist passes `start`/`end` on to the rendition playlists, like MediaPackage;
 * - an endpoint whose startover window is 0 ignores `start`/`end` (time shift is off for it).
 * Not supported: `aws.manifestfilter`, `m=` (accepted and ignored), DASH/CMAF/MSS packaging.
 */
import type { IndexedSegment, RenditionInfo } from './hls-segment-index.js';

/** MediaPackage v1 HlsPackage.ManifestWindowSeconds default. */
export const LIVE_WINDOW_SECONDS = 60;
/** A live playlist lists at least this many segments when there are that many (RFC 8216 §6.2.2: 3 target durations). */
const MIN_LIVE_SEGMENTS = 3;

export interface TimeShift {
  /** Epoch ms. */
  start?: number;
  end?: number;
}

export class InvalidTimeShift extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTimeShift';
  }
}

function parseInstant(name: string, value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number.parseFloat(value) * 1000;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new InvalidTimeShift(`${name} must be epoch seconds or an ISO 8601 date-time, not ${value}`);
  }
  return parsed;
}

/** Reads `start`/`end`; undefined when the request has neither (a live request). */
export function parseTimeShift(query: URLSearchParams): TimeShift | undefined {
  const start = query.get('start');
  const end = query.get('end');
  if (start === null && end === null) return undefined;
  const shift: TimeShift = {};
  if (start !== null) shift.start = parseInstant('start', start);
  if (end !== null) shift.end = parseInstant('end', end);
  if (shift.start !== undefined && shift.end !== undefined && shift.start >= shift.end) {
    throw new InvalidTimeShift('start must be before end');
  }
  return shift;
}

export interface PlaylistWindow {
  segments: IndexedSegment[];
  /** The window is closed (an end in the past): VOD with ENDLIST. */
  ended: boolean;
}

function segmentEnd(segment: IndexedSegment): number {
  return segment.start + segment.duration * 1000;
}

/**
 * @param startoverFromMs oldest instant the endpoint's startover window reaches: a channel's
 *   endpoints share segments but each rewinds only as far as its own window.
 */
export function selectWindow(
  all: readonly IndexedSegment[],
  shift: TimeShift | undefined,
  nowMs: number,
  startoverFromMs: number,
): PlaylistWindow {
  if (!shift) {
    const segments: IndexedSegment[] = [];
    let seconds = 0;
    for (let i = all.length - 1; i >= 0; i -= 1) {
      const segment = all[i];
      if (!segment) break;
      if (segments.length >= MIN_LIVE_SEGMENTS && seconds + segment.duration > LIVE_WINDOW_SECONDS) break;
      segments.unshift(segment);
      seconds += segment.duration;
    }
    return { segments, ended: false };
  }
  const start = Math.max(shift.start ?? Number.NEGATIVE_INFINITY, startoverFromMs);
  const end = shift.end ?? Number.POSITIVE_INFINITY;
  const segments = all.filter((segment) => segment.start < end && segmentEnd(segment) > start);
  return { segments, ended: shift.end !== undefined && shift.end <= nowMs };
}

export function renderMediaPlaylist(
  window: PlaylistWindow,
  targetSeconds: number,
  uri: (segment: IndexedSegment) => string,
): string {
  const first = window.segments[0];
  // EXT-X-TARGETDURATION must be at least every rounded EXTINF (RFC 8216 §4.3.3.1).
  const target = Math.max(targetSeconds, ...window.segments.map((segment) => Math.round(segment.duration)));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${target}`];
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${first?.seq ?? 0}`);
  lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${first?.discontinuitySequence ?? 0}`);
  if (window.ended) lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  for (const segment of window.segments) {
    if (segment.discontinuity && segment !== first) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(segment.start).toISOString()}`);
    lines.push(`#EXTINF:${segment.duration.toFixed(3)},`);
    lines.push(uri(segment));
  }
  if (window.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/**
 * CODECS is left out on purpose: x264's fast presets drop the features of the profile asked for
 * (ultrafast signals Constrained Baseline), and a wrong CODECS makes strict players refuse a
 * rendition, while a missing one only makes them probe.
 */
export function renderMasterPlaylist(
  renditions: readonly RenditionInfo[],
  uri: (index: number) => string,
): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  renditions.forEach((rendition, i) => {
    const attributes = [
      `BANDWIDTH=${rendition.bandwidth}`,
      `RESOLUTION=${rendition.width}x${rendition.height}`,
    ];
    if (rendition.frameRate) attributes.push(`FRAME-RATE=${rendition.frameRate.toFixed(3)}`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`);
    lines.push(uri(i));
  });
  return `${lines.join('\n')}\n`;
}
