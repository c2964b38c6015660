/**
 * Where MediaLive writes a session's archive, worked out instead of listed.
 *
 * MediaLive names each archive file `<destination base filename><NameModifier>.<counter>.<extension>`
 * (MediaLive guide, "About archive locations and file names"): the counter has six digits, starts at
 * 000000 when the channel starts, and a file is visible in S3 only once it is closed (at each
 * `RolloverInterval` and at stop). A session of this project writes:
 *
 *     destination (pipeline p, 0-based)   s3ssl://<bucket>/<prefix>/_<p+1>/archive
 *     files                               <prefix>/_<p+1>/archive_1080p.000000.ts, ...000001.ts, ...
 *
 * Past 999999: AWS documents a six-digit counter and says nothing about what follows. The counter is
 * formatted like `%06d` (at least six digits, a seventh when needed) and the parser accepts more than
 * six digits, so a counter that keeps growing is handled. A counter that wrapped to 000000 would
 * overwrite the first files and cannot be detected here. It takes 999999 files to get there:
 * 11.6 days of a channel running with the smallest `RolloverInterval` (1 s), 9.5 years with the
 * default 300 s.
 */

import { ARCHIVE_EXTENSION, ARCHIVE_NAME_MODIFIER } from './encoder-profile.js';
import { InvalidRequest } from './errors.js';

/** The base filename of every archive destination. */
export const ARCHIVE_BASENAME = 'archive';
export const COUNTER_DIGITS = 6;
/**
 * Longest user path. S3 keys are at most 1024 bytes and the file part adds about 30; 512 keeps
 * clear of that and matches the API's limit on `path`.
 */
export const MAX_ARCHIVE_PATH_LENGTH = 512;

/** A `path` for the archive that is not a safe relative S3 key prefix (HTTP 400, field `path`). */
export class InvalidArchivePath extends InvalidRequest {
  static override readonly errorName: string = 'InvalidArchivePath';

  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super([{ field: 'path', reason }], `archive path ${JSON.stringify(path)} ${reason}`);
  }
}

/** The archive bucket cannot be a MediaLive archive destination (deployment configuration). */
export class InvalidArchiveBucket extends Error {
  override readonly name = 'InvalidArchiveBucket';

  constructor(
    readonly bucket: string,
    reason: string,
  ) {
    super(`archive bucket ${JSON.stringify(bucket)} ${reason}`);
  }
}

/** `<YYYY>/<MM>/<DD>/<stream_id>-<epoch seconds>` in UTC: the seed's default archive path. */
export function defaultArchivePrefix(streamId: string, startedAt: Date): string {
  if (!/^[A-Za-z0-9_-]+$/.test(streamId))
    throw new RangeError(`stream id ${JSON.stringify(streamId)} is not key-safe`);
  const ms = startedAt.getTime();
  if (Number.isNaN(ms)) throw new RangeError('startedAt is an invalid date');
  const yyyy = String(startedAt.getUTCFullYear()).padStart(4, '0');
  const mm = String(startedAt.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(startedAt.getUTCDate()).padStart(2, '0');
  return `${yyyy}/${mm}/${dd}/${streamId}-${Math.floor(ms / 1000)}`;
}

// The characters S3 calls safe for key names (S3 user guide, "Object key naming guidelines").
const SAFE_PATH = /^[A-Za-z0-9!_.*'()/-]+$/;

/**
 * A user's `path` as a key prefix: relative, no `..`, no empty or `.` segment, S3-safe characters
 * only, one trailing slash dropped. Throws `InvalidArchivePath`.
 */
export function normalizeArchivePath(path: string): string {
  const reason = pathProblem(path);
  if (reason !== undefined) throw new InvalidArchivePath(String(path), reason);
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Why `path` is not a safe relative S3 key prefix (the rules of `normalizeArchivePath`), or undefined. */
export function pathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path === '' || path === '/') return 'must not be empty';
  if (path.length > MAX_ARCHIVE_PATH_LENGTH) return `must be at most ${MAX_ARCHIVE_PATH_LENGTH} characters`;
  if (path.startsWith('/')) return 'must be relative (no leading slash)';
  if (path.includes('//')) return 'must not contain an empty segment (//)';
  if (path.includes('..')) return 'must not contain ..';
  if (!SAFE_PATH.test(path)) return "may only contain letters, digits, / and the characters ! _ . * ' ( ) -";
  const body = path.endsWith('/') ? path.slice(0, -1) : path;
  // S3 keeps `a/./b` literally, but browsers and sync tools collapse it: a key nobody can reach.
  if (body.split('/').includes('.')) return 'must not contain a "." segment';
  return undefined;
}

/** The archive destination URL of each pipeline, for the channel's `archive` destination. */
export function archiveUrls(bucket: string, prefix: string, pipelines: 1 | 2): string[] {
  assertBucket(bucket);
  assertPrefix(prefix);
  if (pipelines !== 1 && pipelines !== 2)
    throw new RangeError(`a channel has 1 or 2 pipelines, not ${pipelines}`);
  return Array.from(
    { length: pipelines },
    (_, p) => `s3ssl://${bucket}/${prefix}/_${p + 1}/${ARCHIVE_BASENAME}`,
  );
}

/** `s3://<bucket>/<prefix>`: the seed's `archives_path` value for a session. */
export function archiveUri(bucket: string, prefix: string): string {
  assertBucket(bucket);
  assertPrefix(prefix);
  return `s3://${bucket}/${prefix}`;
}

/** The S3 key of archive file number `counter` written by `pipeline` (0-based). */
export function archiveKey(prefix: string, pipeline: number, counter: number): string {
  assertPrefix(prefix);
  if (pipeline !== 0 && pipeline !== 1) throw new RangeError(`pipeline must be 0 or 1, not ${pipeline}`);
  if (!Number.isSafeInteger(counter) || counter < 0) {
    throw new RangeError(`counter must be a non-negative integer, not ${counter}`);
  }
  const digits = String(counter).padStart(COUNTER_DIGITS, '0');
  return `${prefix}/_${pipeline + 1}/${ARCHIVE_BASENAME}${ARCHIVE_NAME_MODIFIER}.${digits}.${ARCHIVE_EXTENSION}`;
}

const KEY = new RegExp(
  `^(.+)/_([12])/${escapeRegExp(ARCHIVE_BASENAME + ARCHIVE_NAME_MODIFIER)}\\.(\\d{${COUNTER_DIGITS}}|[1-9]\\d{${COUNTER_DIGITS},})\\.${escapeRegExp(ARCHIVE_EXTENSION)}$`,
);

/** The inverse of `archiveKey`; undefined for any key that `archiveKey` cannot produce. */
export function parseArchiveKey(
  key: string,
): { prefix: string; pipeline: number; counter: number } | undefined {
  const m = KEY.exec(key);
  if (!m) return undefined;
  const [, prefix = '', pipeline = '', digits = ''] = m;
  const counter = Number(digits);
  if (!Number.isSafeInteger(counter) || prefix.endsWith('/') || pathProblem(prefix) !== undefined)
    return undefined;
  return { prefix, pipeline: Number(pipeline) - 1, counter };
}

export function pipelinesOf(channelClass: 'STANDARD' | 'SINGLE_PIPELINE'): 1 | 2 {
  return channelClass === 'STANDARD' ? 2 : 1;
}

function assertPrefix(prefix: string): void {
  const reason = pathProblem(prefix);
  if (reason !== undefined) throw new InvalidArchivePath(String(prefix), reason);
  if (prefix.endsWith('/')) throw new InvalidArchivePath(prefix, 'must be normalized (no trailing slash)');
}

/**
 * S3 bucket naming rules, minus dots: MediaLive rejects archive buckets whose names use dot
 * notation (MediaLive guide, "Design the path for the output destination").
 */
function assertBucket(bucket: string): void {
  if (typeof bucket !== 'string' || !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new InvalidArchiveBucket(
      String(bucket),
      'must be 3-63 lowercase letters, digits or hyphens, without dots',
    );
  }
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
