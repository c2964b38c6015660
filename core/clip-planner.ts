/**
 * Clip planning: which archive files a clip needs, worked out from MediaLive's deterministic naming
 * (file i of a session covers [i·L, (i+1)·L) seconds from its start, L = segment length) instead of
 * listing the session. Pure: the S3 reads and writes are the split task's.
 *
 * Rules: every file overlapping [start, end); one pipeline per moment
 * (pipeline 0, with pipeline 1 standing in for a missing file); offsets in seconds from the session
 * start; precision is one file length.
 */
import { InvalidRequest } from './errors.js';
import type { RecordingSession } from './stream.js';

export interface ClipRange {
  start: number;
  end: number;
}

export interface PlannedClip {
  range: ClipRange;
  /** First and last file counters the clip needs (inclusive). */
  first: number;
  last: number;
  /** Files past this counter are not closed yet (live session): not available yet. */
  lastAvailable: number;
}

export interface SessionTimes {
  segmentLength: number;
  /** Seconds recorded so far (stopped session: its whole length). */
  recordedSeconds: number;
  stopped: boolean;
}

export function sessionTimes(session: RecordingSession, now: Date): SessionTimes {
  const started = Date.parse(session.started_at);
  const until = session.stopped_at ? Date.parse(session.stopped_at) : now.getTime();
  return {
    segmentLength: session.segment_length,
    recordedSeconds: Math.max(0, (until - started) / 1000),
    stopped: session.stopped_at !== null,
  };
}

/** Validates every range against the session, then plans each. Throws before anything is written. */
export function planClips(ranges: ClipRange[], times: SessionTimes): PlannedClip[] {
  const L = times.segmentLength;
  const problems = ranges.flatMap((range, i) => {
    const field = `timestamp_list[${i}]`;
    if (!(Number.isFinite(range.start) && Number.isFinite(range.end)) || range.start < 0 || range.end < 0) {
      return [{ field, reason: 'start and end must be non-negative numbers' }];
    }
    if (range.start >= range.end) return [{ field, reason: 'start must be before end' }];
    if (times.stopped && range.start >= times.recordedSeconds) {
      return [
        {
          field,
          reason: `starts after the session ended (it lasted ${Math.floor(times.recordedSeconds)} s)`,
        },
      ];
    }
    if (!times.stopped && range.start >= times.recordedSeconds) {
      return [
        {
          field,
          reason: `starts after what has been recorded so far (${Math.floor(times.recordedSeconds)} s)`,
        },
      ];
    }
    return [];
  });
  if (problems.length > 0) {
    throw new InvalidRequest(
      problems,
      `invalid timestamp_list: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`,
    );
  }
  // The last file of a stopped session ends at its stop; of a live one, the last closed file.
  const lastFile = Math.max(0, Math.ceil(times.recordedSeconds / L) - 1);
  const lastAvailable = times.stopped ? lastFile : Math.floor(times.recordedSeconds / L) - 1;
  return ranges.map((range) => ({
    range,
    first: Math.floor(range.start / L),
    last: Math.min(Math.ceil(range.end / L) - 1, times.stopped ? lastFile : Number.MAX_SAFE_INTEGER),
    lastAvailable,
  }));
}

/** Seconds of file `counter`: L, except the last file of a stopped session, which is shorter. */
export function fileDuration(counter: number, times: SessionTimes): number {
  const L = times.segmentLength;
  const end = Math.min((counter + 1) * L, times.stopped ? times.recordedSeconds : Number.POSITIVE_INFINITY);
  return Math.max(0, end - counter * L);
}

export interface ClipFile {
  counter: number;
  pipeline: number;
  /** Key relative to the session prefix, e.g. `_1/archive_1080p.000012.ts`. */
  relativeKey: string;
  duration: number;
}

/** Picks one file per counter: pipeline 0 where present, else pipeline 1. */
export function chooseFiles(
  clip: PlannedClip,
  present: ReadonlyArray<ReadonlySet<number>>,
  times: SessionTimes,
  relativeKey: (pipeline: number, counter: number) => string,
): { files: ClipFile[]; missing: number[] } {
  const files: ClipFile[] = [];
  const missing: number[] = [];
  const upTo = Math.min(clip.last, clip.lastAvailable);
  for (let counter = clip.first; counter <= upTo; counter++) {
    const pipeline = present.findIndex((set) => set.has(counter));
    if (pipeline < 0) {
      missing.push(counter);
      continue;
    }
    files.push({
      counter,
      pipeline,
      relativeKey: relativeKey(pipeline, counter),
      duration: fileDuration(counter, times),
    });
  }
  return { files, missing };
}

/** A VOD media playlist (RFC 8216) over the files, relative URIs, real durations. */
export function renderPlaylist(files: ClipFile[], sessionStartedAt: string, segmentLength: number): string {
  const started = Date.parse(sessionStartedAt);
  const target = Math.max(1, Math.ceil(Math.max(...files.map((f) => f.duration), 0)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
  ];
  let previous: ClipFile | undefined;
  for (const file of files) {
    const gap = previous && (file.counter !== previous.counter + 1 || file.pipeline !== previous.pipeline);
    if (gap) lines.push('#EXT-X-DISCONTINUITY');
    if (!previous || gap) {
      lines.push(
        `#EXT-X-PROGRAM-DATE-TIME:${new Date(started + file.counter * segmentLength * 1000).toISOString()}`,
      );
    }
    lines.push(`#EXTINF:${file.duration.toFixed(3)},`, file.relativeKey);
    previous = file;
  }
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** Counters as contiguous ranges of seconds, for "not available" reports. */
export function counterRanges(counters: number[], segmentLength: number): ClipRange[] {
  const out: ClipRange[] = [];
  for (const c of counters) {
    const last = out[out.length - 1];
    if (last && last.end === c * segmentLength) last.end = (c + 1) * segmentLength;
    else out.push({ start: c * segmentLength, end: (c + 1) * segmentLength });
  }
  return out;
}
