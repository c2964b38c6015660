/**
 * SplitArchive: one VOD playlist per requested range of a recording session.
 *
 * S3 cost: per clip one ListObjects on pipeline 0 starting right before the clip's first file
 * (`Marker`, `MaxKeys` = files needed), one more on pipeline 1 only when pipeline 0 lacks a file,
 * and one PutObject: the number of requests grows with the clips asked for, not with the archive's
 * length (a clip longer than 1,000 files costs one list per 1,000 files).
 *
 * A `name_modifier` already used in the session is refused (`NameModifierInUse`) without an extra
 * request: every playlist is written with `If-None-Match: *`, which S3 refuses (412) when the key
 * exists, atomically, so two splits racing for one name cannot both write (S3 user guide,
 * "Conditional writes"). A refusal after this split wrote playlists (an earlier split used the name
 * but had no file for this split's first clip) deletes what this split wrote: nothing is left half.
 *
 * ListObjects (v1) with `Marker` rather than ListObjectsV2 with `StartAfter`: the same request on
 * AWS, and the local S3 (s3rver) cannot make V2 continuation tokens on Node 20 (its DES cipher is
 * gone from OpenSSL 3), which any truncated V2 listing needs.
 */
import {
  DeleteObjectsCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { archiveKey, parseArchiveKey, pipelinesOf } from '../../core/archive-naming.js';
import { type ClipRecord, newSigningKey, newTimeId } from '../../core/clip.js';
import {
  chooseFiles,
  counterRanges,
  type PlannedClip,
  planClips,
  renderPlaylist,
  type SessionTimes,
  sessionTimes,
} from '../../core/clip-planner.js';
import type { ClipStore } from '../../core/clip-store.js';
import { NameModifierInUse } from '../../core/errors.js';
import * as clients from '../clients.js';
import type { ClipResult, SplitInput, SplitOutput } from '../contracts.js';
import { settings, taskHandler } from '../runtime.js';

const PAGE = 1000;

async function presentCounters(
  s3: S3Client,
  bucket: string,
  prefix: string,
  pipeline: number,
  first: number,
  last: number,
): Promise<Set<number>> {
  const present = new Set<number>();
  let startAfter = first > 0 ? archiveKey(prefix, pipeline, first - 1) : undefined;
  for (;;) {
    const wanted = last - first + 1 - present.size;
    const out = await s3.send(
      new ListObjectsCommand({
        Bucket: bucket,
        Prefix: `${prefix}/_${pipeline + 1}/`,
        ...(startAfter ? { Marker: startAfter } : {}),
        MaxKeys: Math.min(PAGE, Math.max(1, wanted)),
      }),
    );
    const contents = out.Contents ?? [];
    let beyond = false;
    for (const object of contents) {
      const parsed = object.Key ? parseArchiveKey(object.Key) : undefined;
      if (!parsed || parsed.prefix !== prefix) continue;
      if (parsed.counter > last) beyond = true;
      else if (parsed.counter >= first) present.add(parsed.counter);
    }
    const lastKey = contents[contents.length - 1]?.Key;
    if (beyond || !out.IsTruncated || !lastKey || present.size >= last - first + 1) return present;
    startAfter = lastKey;
  }
}

export async function splitArchive(
  deps: { s3: S3Client; bucket: string; now?: () => Date; clips?: Pick<ClipStore, 'putClips'> },
  input: SplitInput,
): Promise<SplitOutput> {
  const { session } = input;
  const now = deps.now?.() ?? new Date();
  const times: SessionTimes = sessionTimes(session, now);
  const plans = planClips(input.timestamp_list, times);
  const pipelines = pipelinesOf(session.channel_class);
  const clips: ClipResult[] = [];
  try {
    for (const [i, plan] of plans.entries()) {
      clips.push(await writeClip(deps, input, times, plan, i, pipelines));
    }
  } catch (error) {
    if (error instanceof NameModifierInUse) await removePlaylists(deps, clips);
    throw error;
  }
  // One record per playlist written: the clip can be listed, played, exported and deleted later.
  const records = clips.flatMap((clip, i) => {
    const record = clipRecord(input, clip, i, now);
    if (record) clip.clip_id = record.id;
    return record ? [record] : [];
  });
  if (records.length > 0) await deps.clips?.putClips(records);
  return { indexes: clips.flatMap((c) => (c.index ? [c.index] : [])), clips };
}

function clipRecord(input: SplitInput, clip: ClipResult, i: number, now: Date): ClipRecord | undefined {
  if (!clip.key || !clip.index || clip.covered_start === null || clip.covered_end === null) return undefined;
  const { session } = input;
  return {
    id: newTimeId(now),
    stream_id: input.stream_id,
    session_id: session.id,
    name: `${input.name_modifier}_${i}`,
    requested: { start: clip.start, end: clip.end },
    covered: { start: clip.covered_start, end: clip.covered_end },
    missing: clip.missing,
    not_available_yet: clip.not_available_yet,
    created_at: now.toISOString(),
    session_started_at: session.started_at,
    segment_length: session.segment_length,
    playlist: { key: clip.key, uri: clip.index, segments: clip.segments },
    exports: {},
    signing_key: newSigningKey(),
  };
}

async function writeClip(
  deps: { s3: S3Client; bucket: string },
  input: SplitInput,
  times: SessionTimes,
  plan: PlannedClip,
  i: number,
  pipelines: number,
): Promise<ClipResult> {
  const { prefix } = input.session;
  const L = times.segmentLength;
  const upTo = Math.min(plan.last, plan.lastAvailable);
  const present: Array<Set<number>> = [];
  if (upTo >= plan.first) {
    present.push(await presentCounters(deps.s3, deps.bucket, prefix, 0, plan.first, upTo));
    if (pipelines > 1 && present[0] && present[0].size < upTo - plan.first + 1) {
      present.push(await presentCounters(deps.s3, deps.bucket, prefix, 1, plan.first, upTo));
    }
  }
  const relative = (pipeline: number, counter: number) =>
    archiveKey(prefix, pipeline, counter).slice(prefix.length + 1);
  const { files, missing } = chooseFiles(plan, present, times, relative);
  const notYet =
    plan.last > plan.lastAvailable
      ? { start: Math.max(plan.range.start, (plan.lastAvailable + 1) * L), end: plan.range.end }
      : null;
  const base: Omit<ClipResult, 'index' | 'key' | 'covered_start' | 'covered_end' | 'segments'> = {
    clip_id: null,
    start: plan.range.start,
    end: plan.range.end,
    missing: counterRanges(missing, L).map((r) => ({
      start: r.start,
      end: Math.min(r.end, times.recordedSeconds),
    })),
    not_available_yet: notYet,
  };
  const firstFile = files[0];
  const lastFile = files[files.length - 1];
  if (!firstFile || !lastFile)
    return { ...base, index: null, key: null, covered_start: null, covered_end: null, segments: 0 };
  const key = playlistKey(prefix, input.name_modifier, i);
  try {
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: deps.bucket,
        Key: key,
        Body: renderPlaylist(files, input.session.started_at, L),
        ContentType: 'application/vnd.apple.mpegurl',
        IfNoneMatch: '*',
      }),
    );
  } catch (error) {
    if (keyExists(error)) throw new NameModifierInUse(input.name_modifier, key);
    throw error;
  }
  return {
    ...base,
    index: `s3://${deps.bucket}/${key}`,
    key,
    covered_start: firstFile.counter * L,
    covered_end: lastFile.counter * L + lastFile.duration,
    segments: files.length,
  };
}

const playlistKey = (prefix: string, nameModifier: string, i: number) =>
  `${prefix}/index_${nameModifier}_${i}.m3u8`;

/**
 * S3 refuses a write with `If-None-Match: *` to an existing key with 412 PreconditionFailed, and
 * with 409 ConditionalRequestConflict while another such write of the key is under way (S3 API
 * reference, PutObject).
 */
function keyExists(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'PreconditionFailed' || error.name === 'ConditionalRequestConflict')
  );
}

/** Deletes the playlists this split wrote (at most 1,000 keys a request). */
async function removePlaylists(deps: { s3: S3Client; bucket: string }, clips: ClipResult[]): Promise<void> {
  const keys = clips.flatMap((clip) => (clip.key ? [clip.key] : []));
  for (let i = 0; i < keys.length; i += 1000) {
    await deps.s3.send(
      new DeleteObjectsCommand({
        Bucket: deps.bucket,
        Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
      }),
    );
  }
}

export const handler = taskHandler('split-archive', (input: SplitInput) =>
  splitArchive({ s3: clients.s3(), bucket: settings.archiveBucket(), clips: clients.clips() }, input),
);
