/**
 * The local MediaConvert double: the job settings the app generates, run with FFmpeg against a local
 * S3, cut to the frame (read back from frames that carry their own index).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJobRequest } from '../../../../core/export-job.js';
import { newCredentials } from '../../../../infra/local/aws-server/credentials.js';
import type { Served } from '../../../../infra/local/aws-server/server.js';
import { serveS3rver } from '../../../../infra/local/aws-server/stores.js';
import { findFfmpeg } from '../../../../infra/local/ffmpeg.js';
import {
  BadRequestException,
  type LocalJobRecord,
  LocalMediaConvert,
  planLocalJob,
  playlistSegments,
} from '../../../../infra/local/mediaconvert/local-mediaconvert.js';
import { FPS, frameIndexes, indexedSourceArgs } from '../../../support/frame-index.js';

const run = promisify(execFile);
const BUCKET = 'live-archive';
const PREFIX = '2026/06/07/ABCDEF0123456789-1780819200';
const { ffmpeg, ffprobe } = findFfmpeg();
const credentials = newCredentials();
const jobs: LocalJobRecord[] = [];
let s3rver: Served;
let s3: S3Client;
let mediaConvert: LocalMediaConvert;

/** Three archive files of 60 frames (2.002 s) each, frames indexed 0..179, and a playlist over them. */
async function writeArchive(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mc-archive-'));
  await run(ffmpeg, [
    '-v',
    'error',
    ...indexedSourceArgs('320x180'),
    '-frames:v',
    '180',
    '-t',
    String(180 / FPS),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '60',
    '-keyint_min',
    '60',
    '-sc_threshold',
    '0',
    '-c:a',
    'aac',
    '-f',
    'segment',
    '-segment_format',
    'mpegts',
    '-segment_time',
    String(60 / FPS),
    path.join(dir, 'archive_1080p.%06d.ts'),
  ]);
  const files = readdirSync(dir).sort();
  expect(files).toHaveLength(3);
  for (const file of files) {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${PREFIX}/_1/${file}`,
        Body: readFileSync(path.join(dir, file)),
      }),
    );
  }
  const playlist = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:3',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    ...files.flatMap((file) => ['#EXTINF:2.002,', `_1/${file}`]),
    '#EXT-X-ENDLIST',
  ].join('\n');
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/index_talk_0.m3u8`, Body: playlist }));
}

function request(requested: { start: number; end: number }, exportId = 'e'.repeat(20)) {
  return exportJobRequest({
    clip: {
      id: 'c'.repeat(20),
      stream_id: 'ABCDEF0123456789',
      requested,
      covered: { start: 0, end: 180 / FPS },
      playlist: { key: `${PREFIX}/index_talk_0.m3u8`, uri: '', segments: 3 },
    },
    item: { id: exportId, key: `clip-exports/ABCDEF0123456789/${'c'.repeat(20)}/${exportId}.mp4` },
    bucket: BUCKET,
    roleArn: 'arn:aws:iam::000000000000:role/local-mediaconvert',
  });
}

beforeAll(async () => {
  s3rver = await serveS3rver({
    port: 0,
    credentials,
    directory: mkdtempSync(path.join(tmpdir(), 'mc-s3-')),
    buckets: [BUCKET],
  });
  s3 = new S3Client({
    endpoint: s3rver.url,
    region: 'us-east-1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    credentials,
  });
  mediaConvert = new LocalMediaConvert({
    s3,
    ffmpeg,
    ffprobe,
    region: 'us-east-1',
    account: '000000000000',
    onJob: (job) => jobs.push(job),
  });
  await writeArchive();
}, 60_000);
afterAll(async () => {
  s3.destroy();
  await s3rver?.close();
});

describe('planLocalJob', () => {
  it('reads the clipping timecodes as frames counted from the first frame of the input', () => {
    const plan = planLocalJob(request({ start: 1, end: 5 }));
    expect(plan).toMatchObject({
      firstFrame: 30,
      lastFrame: 149,
      input: { bucket: BUCKET, key: `${PREFIX}/index_talk_0.m3u8` },
      output: { bucket: BUCKET, width: 1920, height: 1080, maxBitrate: 7_000_000 },
      audio: { bitrate: 128_000, sampleRate: 48_000, channels: 2 },
    });
    expect(plan.output.key).toMatch(/^clip-exports\/.+\.mp4$/);
  });

  it.each([
    ['no role', (r: Record<string, unknown>) => ({ ...r, Role: 'mc' })],
    [
      'two inputs',
      (r: Record<string, unknown>) =>
        withSettings(r, (s) => ({ ...s, Inputs: [...(s.Inputs as unknown[]), {}] })),
    ],
    [
      'a file input',
      (r: Record<string, unknown>) =>
        withSettings(r, (s) => ({
          ...s,
          Inputs: [{ ...(s.Inputs as object[])[0], FileInput: `s3://${BUCKET}/a.mp4` }],
        })),
    ],
    [
      'embedded timecodes',
      (r: Record<string, unknown>) =>
        withSettings(r, (s) => ({
          ...s,
          Inputs: [{ ...(s.Inputs as object[])[0], TimecodeSource: 'EMBEDDED' }],
        })),
    ],
    [
      'an end before the start',
      (r: Record<string, unknown>) =>
        withSettings(r, (s) => ({
          ...s,
          Inputs: [
            {
              ...(s.Inputs as object[])[0],
              InputClippings: [{ StartTimecode: '00:00:02:00', EndTimecode: '00:00:01:00' }],
            },
          ],
        })),
    ],
  ])('refuses %s with MediaConvert’s BadRequestException', (_name, change) => {
    const bad = change(request({ start: 1, end: 5 }) as unknown as Record<string, unknown>);
    expect(() => planLocalJob(bad)).toThrow(BadRequestException);
  });
});

function withSettings(
  r: Record<string, unknown>,
  change: (s: Record<string, unknown>) => Record<string, unknown>,
): Record<string, unknown> {
  return { ...r, Settings: change(r.Settings as Record<string, unknown>) };
}

describe('playlistSegments', () => {
  it('resolves segment URIs against the playlist key', () => {
    expect(playlistSegments('#EXTM3U\n#EXTINF:2,\n_1/a.ts\n\n#EXT-X-ENDLIST\n', 'p/q/index.m3u8')).toEqual([
      'p/q/_1/a.ts',
    ]);
  });
});

describe('createJobSync', () => {
  it('writes an MP4 of exactly the requested frames, decode-accurate across archive files', async () => {
    const { Job } = await mediaConvert.createJobSync(request({ start: 1, end: 5 }));
    expect(Job.Status).toBe('COMPLETE');
    const key = `clip-exports/ABCDEF0123456789/${'c'.repeat(20)}/${'e'.repeat(20)}.mp4`;
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(object.ContentType).toBe('video/mp4');
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mc-out-')), 'out.mp4');
    writeFileSync(file, Buffer.from(await (object.Body?.transformToByteArray() ?? new Uint8Array())));
    const indexes = await frameIndexes(ffmpeg, file);
    // Frames 30..149: the first at or after 1 s, the last before 5 s, none missing, none repeated.
    expect(indexes[0]).toBe(30);
    expect(indexes[indexes.length - 1]).toBe(149);
    expect(indexes).toEqual(Array.from({ length: 120 }, (_, i) => 30 + i));
    expect(
      Math.abs((Job.OutputGroupDetails?.[0]?.OutputDetails[0]?.DurationInMs ?? 0) - (120 / FPS) * 1000),
    ).toBeLessThan(1000 / FPS);
    const job = jobs.find((j) => j.jobId === Job.Id);
    expect(job?.reads.map((r) => r.key)).toEqual([
      `${PREFIX}/index_talk_0.m3u8`,
      `${PREFIX}/_1/archive_1080p.000000.ts`,
      `${PREFIX}/_1/archive_1080p.000001.ts`,
      `${PREFIX}/_1/archive_1080p.000002.ts`,
    ]);
    expect(job?.writes).toEqual([{ bucket: BUCKET, key }]);
  }, 120_000);

  it('fails the task (States.TaskFailed, the job in ERROR as the cause) when an input is missing', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${PREFIX}/index_talk_0.m3u8`,
        Body: '#EXTM3U\n#EXTINF:2.002,\n_1/archive_1080p.000009.ts\n#EXT-X-ENDLIST\n',
      }),
    );
    const failure = await mediaConvert
      .createJobSync(request({ start: 0, end: 1 }, 'f'.repeat(20)))
      .catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe('States.TaskFailed');
    expect(JSON.parse((failure as Error).message)).toMatchObject({ Job: { Status: 'ERROR' } });
    await writeArchive();
  }, 60_000);
});
