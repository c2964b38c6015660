import { DeleteObjectsCommand, ListObjectsCommand, NoSuchBucket, PutObjectCommand } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { archiveKey } from '../../../core/archive-naming.js';
import { CLIP_ID, type ClipRecord } from '../../../core/clip.js';
import { InvalidRequest, NameModifierInUse } from '../../../core/errors.js';
import type { ChannelClass, RecordingSession } from '../../../core/stream.js';
import type { SplitInput } from '../../../tasks/contracts.js';
import { splitArchive } from '../../../tasks/split/split-archive.js';
import { readVodPlaylist } from '../hls-playlist.js';
import { fakeBucket } from '../s3-fake.js';
import { ARCHIVE_BUCKET, inputsOf, modelProblems, newS3 } from '../task-harness.js';

const s3 = newS3();
const mock = mockClient(s3);
/** The clip records the split wrote (its ClipStore, faked). */
let records: ClipRecord[] = [];
beforeEach(() => {
  mock.reset();
  records = [];
});

const PREFIX = '2026/06/07/STREAM0000000001-1780819200';
const STARTED = '2026-06-07T08:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(STARTED) + seconds * 1000);

function aSession(overrides: Partial<RecordingSession> = {}): RecordingSession {
  return {
    id: 'SESSION000000001',
    prefix: PREFIX,
    uri: `s3://${ARCHIVE_BUCKET}/${PREFIX}`,
    started_at: STARTED,
    stopped_at: at(95).toISOString(),
    segment_length: 10,
    channel_class: 'STANDARD',
    ...overrides,
  };
}

/** Keys of files `from..to` written by `pipeline`, minus the `except` counters. */
function files(pipeline: number, from: number, to: number, except: number[] = [], prefix = PREFIX): string[] {
  const out: string[] = [];
  for (let c = from; c <= to; c++) if (!except.includes(c)) out.push(archiveKey(prefix, pipeline, c));
  return out;
}

const split = (
  session: RecordingSession,
  timestamp_list: SplitInput['timestamp_list'],
  now = new Date('2030-01-01T00:00:00.000Z'),
) =>
  splitArchive(
    {
      s3,
      bucket: ARCHIVE_BUCKET,
      now: () => now,
      clips: {
        putClips: async (written: ClipRecord[]) => {
          records.push(...written);
        },
      },
    },
    { stream_id: 'STREAM0000000001', session, timestamp_list, name_modifier: 'clip' },
  );

function playlistAt(bucket: ReturnType<typeof fakeBucket>, key: string) {
  const written = bucket.written.get(key);
  if (!written) throw new Error(`no playlist at ${key}`);
  return { ...written, parsed: readVodPlaylist(written.body) };
}

describe('splitArchive', () => {
  it('lists only the files a clip needs, from right before its first file, and writes its playlist', async () => {
    const bucket = fakeBucket(mock, [...files(0, 0, 9), ...files(1, 0, 9)]);

    const out = await split(aSession(), [{ start: 25, end: 45 }]);

    expect(inputsOf(mock, ListObjectsCommand)).toEqual([
      {
        Bucket: ARCHIVE_BUCKET,
        Prefix: `${PREFIX}/_1/`,
        Marker: `${PREFIX}/_1/archive_1080p.000001.ts`,
        MaxKeys: 3,
      },
    ]);
    const key = `${PREFIX}/index_clip_0.m3u8`;
    expect(mock).toHaveReceivedCommandTimes(PutObjectCommand, 1);
    expect(mock).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: ARCHIVE_BUCKET,
      Key: key,
      ContentType: 'application/vnd.apple.mpegurl',
    });
    expect(modelProblems('s3', 'PutObject', inputsOf(mock, PutObjectCommand)[0])).toBe('');
    expect(modelProblems('s3', 'ListObjects', inputsOf(mock, ListObjectsCommand)[0])).toBe('');
    const { parsed } = playlistAt(bucket, key);
    expect(parsed.targetDuration).toBe(10);
    expect(parsed.segments).toEqual([
      {
        duration: 10,
        uri: '_1/archive_1080p.000002.ts',
        discontinuity: false,
        programDateTime: at(20).toISOString(),
      },
      { duration: 10, uri: '_1/archive_1080p.000003.ts', discontinuity: false, programDateTime: null },
      { duration: 10, uri: '_1/archive_1080p.000004.ts', discontinuity: false, programDateTime: null },
    ]);
    expect(out).toEqual({
      indexes: [`s3://${ARCHIVE_BUCKET}/${key}`],
      clips: [
        {
          clip_id: records[0]?.id,
          index: `s3://${ARCHIVE_BUCKET}/${key}`,
          key,
          start: 25,
          end: 45,
          covered_start: 20,
          covered_end: 50,
          segments: 3,
          missing: [],
          not_available_yet: null,
        },
      ],
    });
  });

  it('records each clip it wrote a playlist for: requested and covered ranges, the playlist, a secret', async () => {
    const bucket = fakeBucket(mock, [...files(0, 0, 9), ...files(1, 0, 9)]);
    // The second range lies in a file not closed yet: no playlist, so no record.
    const out = await split(
      aSession({ stopped_at: null }),
      [
        { start: 25, end: 45 },
        { start: 92, end: 94 },
      ],
      at(95),
    );
    expect(out.clips.map((c) => c.clip_id)).toEqual([records[0]?.id, null]);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record?.id).toMatch(CLIP_ID);
    expect(record).toMatchObject({
      stream_id: 'STREAM0000000001',
      session_id: 'SESSION000000001',
      name: 'clip_0',
      requested: { start: 25, end: 45 },
      covered: { start: 20, end: 50 },
      missing: [],
      not_available_yet: null,
      session_started_at: STARTED,
      segment_length: 10,
      playlist: {
        key: `${PREFIX}/index_clip_0.m3u8`,
        uri: `s3://${ARCHIVE_BUCKET}/${PREFIX}/index_clip_0.m3u8`,
        segments: 3,
      },
      exports: {},
    });
    expect(record?.signing_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bucket.written.has(record?.playlist.key ?? '')).toBe(true);
  });

  it('lists from the beginning, without Marker, for a clip from the first second', async () => {
    fakeBucket(mock, files(0, 0, 9));

    await split(aSession({ channel_class: 'SINGLE_PIPELINE' }), [{ start: 0, end: 10 }]);

    expect(inputsOf(mock, ListObjectsCommand)).toEqual([
      { Bucket: ARCHIVE_BUCKET, Prefix: `${PREFIX}/_1/`, MaxKeys: 1 },
    ]);
  });

  it('gives the short last file of a stopped session its real duration', async () => {
    const bucket = fakeBucket(mock, files(0, 0, 9));

    const out = await split(aSession({ stopped_at: at(95.5).toISOString() }), [{ start: 80, end: 3600 }]);

    expect(mock).toHaveReceivedCommandWith(ListObjectsCommand, {
      Marker: `${PREFIX}/_1/archive_1080p.000007.ts`,
      MaxKeys: 2,
    });
    const { parsed } = playlistAt(bucket, `${PREFIX}/index_clip_0.m3u8`);
    expect(parsed.segments.map((s) => s.duration)).toEqual([10, 5.5]);
    expect(parsed.targetDuration).toBe(10);
    expect(out.clips[0]).toMatchObject({
      covered_start: 80,
      covered_end: 95.5,
      segments: 2,
      not_available_yet: null,
    });
  });

  it('lets pipeline 1 stand in for a file pipeline 0 lacks, with a discontinuity around it', async () => {
    const bucket = fakeBucket(mock, [...files(0, 0, 9, [3]), ...files(1, 0, 9)]);

    const out = await split(aSession(), [{ start: 20, end: 50 }]);

    expect(inputsOf(mock, ListObjectsCommand)).toEqual([
      {
        Bucket: ARCHIVE_BUCKET,
        Prefix: `${PREFIX}/_1/`,
        Marker: `${PREFIX}/_1/archive_1080p.000001.ts`,
        MaxKeys: 3,
      },
      {
        Bucket: ARCHIVE_BUCKET,
        Prefix: `${PREFIX}/_2/`,
        Marker: `${PREFIX}/_2/archive_1080p.000001.ts`,
        MaxKeys: 3,
      },
    ]);
    const { parsed } = playlistAt(bucket, `${PREFIX}/index_clip_0.m3u8`);
    expect(parsed.segments.map((s) => [s.uri, s.discontinuity])).toEqual([
      ['_1/archive_1080p.000002.ts', false],
      ['_2/archive_1080p.000003.ts', true],
      ['_1/archive_1080p.000004.ts', true],
    ]);
    expect(out.clips[0]).toMatchObject({ segments: 3, missing: [], covered_start: 20, covered_end: 50 });
  });

  it('reports the seconds no pipeline recorded and plays around them', async () => {
    const bucket = fakeBucket(mock, [...files(0, 0, 9, [3, 4]), ...files(1, 0, 9, [3, 4])]);

    const out = await split(aSession(), [{ start: 20, end: 60 }]);

    const { parsed } = playlistAt(bucket, `${PREFIX}/index_clip_0.m3u8`);
    expect(parsed.segments.map((s) => [s.uri, s.discontinuity, s.programDateTime])).toEqual([
      ['_1/archive_1080p.000002.ts', false, at(20).toISOString()],
      ['_1/archive_1080p.000005.ts', true, at(50).toISOString()],
    ]);
    expect(out.clips[0]).toMatchObject({ segments: 2, missing: [{ start: 30, end: 50 }] });
  });

  it('never lists a second pipeline for a SINGLE_PIPELINE session', async () => {
    fakeBucket(mock, files(0, 0, 9, [3]));

    const out = await split(aSession({ channel_class: 'SINGLE_PIPELINE' as ChannelClass }), [
      { start: 20, end: 50 },
    ]);

    expect(mock).toHaveReceivedCommandTimes(ListObjectsCommand, 1);
    expect(out.clips[0]?.missing).toEqual([{ start: 30, end: 40 }]);
  });

  it("counts only the session's archive files, not other keys next to them", async () => {
    const longer = `${PREFIX}0`;
    fakeBucket(mock, [
      ...files(0, 0, 9, [2]),
      `${PREFIX}/_1/archive_1080p.000002.ts.partial`,
      ...files(0, 0, 9, [], longer),
      ...files(1, 0, 9, [2]),
    ]);

    const out = await split(aSession(), [{ start: 20, end: 40 }]);

    expect(out.clips[0]).toMatchObject({ segments: 1, missing: [{ start: 20, end: 30 }] });
  });

  it('in a live session takes the closed files and says which part is not available yet', async () => {
    const bucket = fakeBucket(mock, [...files(0, 0, 8), ...files(1, 0, 8)]);

    const out = await split(aSession({ stopped_at: null }), [{ start: 50, end: 200 }], at(95));

    expect(inputsOf(mock, ListObjectsCommand)).toEqual([
      {
        Bucket: ARCHIVE_BUCKET,
        Prefix: `${PREFIX}/_1/`,
        Marker: `${PREFIX}/_1/archive_1080p.000004.ts`,
        MaxKeys: 4,
      },
    ]);
    const { parsed } = playlistAt(bucket, `${PREFIX}/index_clip_0.m3u8`);
    expect(parsed.segments.map((s) => s.uri)).toEqual(
      [5, 6, 7, 8].map((c) => `_1/archive_1080p.00000${c}.ts`),
    );
    expect(parsed.segments.every((s) => s.duration === 10)).toBe(true);
    expect(out.clips[0]).toMatchObject({
      covered_start: 50,
      covered_end: 90,
      segments: 4,
      missing: [],
      not_available_yet: { start: 90, end: 200 },
    });
  });

  it('writes nothing for a live clip none of whose files is closed yet', async () => {
    fakeBucket(mock, []);

    const out = await split(aSession({ stopped_at: null }), [{ start: 0, end: 5 }], at(8));

    expect(mock).toHaveReceivedCommandTimes(ListObjectsCommand, 0);
    expect(mock).toHaveReceivedCommandTimes(PutObjectCommand, 0);
    expect(out).toEqual({
      indexes: [],
      clips: [
        {
          clip_id: null,
          index: null,
          key: null,
          start: 0,
          end: 5,
          covered_start: null,
          covered_end: null,
          segments: 0,
          missing: [],
          not_available_yet: { start: 0, end: 5 },
        },
      ],
    });
  });

  it('writes one playlist per range, each listed on its own', async () => {
    const bucket = fakeBucket(mock, files(0, 0, 9));

    const out = await split(aSession({ channel_class: 'SINGLE_PIPELINE' }), [
      { start: 0, end: 10 },
      { start: 30, end: 60 },
    ]);

    expect(out.indexes).toEqual([
      `s3://${ARCHIVE_BUCKET}/${PREFIX}/index_clip_0.m3u8`,
      `s3://${ARCHIVE_BUCKET}/${PREFIX}/index_clip_1.m3u8`,
    ]);
    expect(inputsOf(mock, ListObjectsCommand).map((i) => [i.Marker, i.MaxKeys])).toEqual([
      [undefined, 1],
      [`${PREFIX}/_1/archive_1080p.000002.ts`, 3],
    ]);
    expect([...bucket.written.keys()]).toEqual([
      `${PREFIX}/index_clip_0.m3u8`,
      `${PREFIX}/index_clip_1.m3u8`,
    ]);
  });

  it('pages through a clip longer than 1,000 files, 1,000 keys per list', async () => {
    const bucket = fakeBucket(mock, files(0, 0, 2599));

    const out = await split(
      aSession({ segment_length: 1, stopped_at: at(2600).toISOString(), channel_class: 'SINGLE_PIPELINE' }),
      [{ start: 0, end: 2500 }],
    );

    expect(inputsOf(mock, ListObjectsCommand).map((i) => [i.Marker, i.MaxKeys])).toEqual([
      [undefined, 1000],
      [`${PREFIX}/_1/archive_1080p.000999.ts`, 1000],
      [`${PREFIX}/_1/archive_1080p.001999.ts`, 500],
    ]);
    expect(out.clips[0]).toMatchObject({ segments: 2500, covered_start: 0, covered_end: 2500 });
    expect(playlistAt(bucket, `${PREFIX}/index_clip_0.m3u8`).parsed.segments).toHaveLength(2500);
  });

  it('refuses bad ranges, naming the entry, before listing or writing anything', async () => {
    fakeBucket(mock, files(0, 0, 9));

    const run = split(aSession(), [
      { start: 0, end: 10 },
      { start: 50, end: 40 },
    ]);

    await expect(run).rejects.toThrow(InvalidRequest);
    await expect(run).rejects.toThrow(/timestamp_list\[1\]/);
    expect(mock).not.toHaveReceivedAnyCommand();
  });

  it('refuses a name modifier whose playlists the session already has, writing nothing', async () => {
    const first = `${PREFIX}/index_clip_0.m3u8`;
    const bucket = fakeBucket(mock, [...files(0, 0, 9), ...files(1, 0, 9), first]);

    const run = split(aSession(), [
      { start: 0, end: 10 },
      { start: 30, end: 40 },
    ]);

    await expect(run).rejects.toThrow(NameModifierInUse);
    await expect(run).rejects.toMatchObject({ name: 'NameModifierInUse', nameModifier: 'clip', key: first });
    expect(bucket.written.size).toBe(0);
    expect(bucket.keys.has(first)).toBe(true);
    expect(records).toEqual([]);
  });

  it('writes every playlist with If-None-Match: * and asks S3 nothing else about the name (2 requests a clip)', async () => {
    fakeBucket(mock, [...files(0, 0, 9), ...files(1, 0, 9)]);

    await split(aSession(), [
      { start: 0, end: 10 },
      { start: 30, end: 40 },
    ]);

    const puts = inputsOf(mock, PutObjectCommand);
    expect(puts.map((p) => [p.Key, p.IfNoneMatch])).toEqual([
      [`${PREFIX}/index_clip_0.m3u8`, '*'],
      [`${PREFIX}/index_clip_1.m3u8`, '*'],
    ]);
    for (const put of puts) expect(modelProblems('s3', 'PutObject', put)).toBe('');
    expect(mock.calls()).toHaveLength(4);
  });

  it("deletes what it wrote when a later playlist's name is taken (an earlier split had no file for its first clip)", async () => {
    const taken = `${PREFIX}/index_clip_1.m3u8`;
    const bucket = fakeBucket(mock, [...files(0, 0, 9), ...files(1, 0, 9), taken]);

    const run = split(aSession(), [
      { start: 0, end: 10 },
      { start: 30, end: 40 },
    ]);

    await expect(run).rejects.toMatchObject({ name: 'NameModifierInUse', key: taken });
    expect([...bucket.written.keys()]).toEqual([]);
    expect(inputsOf(mock, DeleteObjectsCommand)).toEqual([
      { Bucket: ARCHIVE_BUCKET, Delete: { Objects: [{ Key: `${PREFIX}/index_clip_0.m3u8` }], Quiet: true } },
    ]);
    expect(modelProblems('s3', 'DeleteObjects', inputsOf(mock, DeleteObjectsCommand)[0])).toBe('');
    expect(bucket.keys.has(taken)).toBe(true);
    expect(records).toEqual([]);
  });

  it('lets an S3 error through under its own name', async () => {
    mock.on(ListObjectsCommand).rejects(new NoSuchBucket({ message: 'no bucket', $metadata: {} }));

    await expect(split(aSession(), [{ start: 0, end: 10 }])).rejects.toThrow(NoSuchBucket);
  });
});
