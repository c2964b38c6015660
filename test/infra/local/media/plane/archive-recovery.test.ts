/**
 * Archive files a killed service left behind: the folders are written as a running channel writes
 * them (the recorder's manifest, FFmpeg's files and CSV list, a file cut mid-packet), then a new
 * media plane starts against the same data folder and a real s3rver.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../../../infra/local/ffmpeg.js';
import { ArchiveRecorder } from '../../../../../infra/local/media/plane/archive-recorder.js';
import { ArchiveUploader } from '../../../../../infra/local/media/plane/archive-upload.js';
import { planEncoding } from '../../../../../infra/local/media/plane/encoder-plan.js';
import { createMediaPlane } from '../../../../../infra/local/media/plane/media-plane.js';
import { aChannel, FakeControlPlane } from './channel-builder.js';

const run = promisify(execFile);
interface LocalS3 {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => LocalS3;
const binaries = findFfmpeg();
const BUCKET = 'archive-bucket';
const PREFIX = '2026/11/23/ABC-1700000000';

let dir: string;
let s3rver: LocalS3;
let s3: S3Client;
let tsFile: Buffer;

async function keys(): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${PREFIX}/` }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'archive-recovery-'));
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: path.join(dir, 's3'),
    configureBuckets: [{ name: BUCKET, configs: [] }],
  });
  const address = await s3rver.run();
  s3 = new S3Client({
    endpoint: `http://127.0.0.1:${address.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  // A real archive file: 2 s of 320x240 H.264 + AAC in MPEG-TS, as the segment muxer writes one.
  const sample = path.join(dir, 'sample.ts');
  await run(binaries.ffmpeg, [
    ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30'],
    ...['-f', 'lavfi', '-i', 'sine', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac'],
    ...['-f', 'mpegts', sample],
  ]);
  tsFile = await readFile(sample);
});

afterAll(async () => {
  await s3rver?.close();
  s3?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('archive files left by a killed service', () => {
  it('are uploaded on start-up under MediaLive names, the interrupted one cut at its last whole packet', async () => {
    const dataDir = path.join(dir, 'data');
    const mediaDir = path.join(dataDir, 'media');
    // What the dead service had set up: one run per pipeline, with the recorder's manifests.
    const recorder = new ArchiveRecorder(
      '1234567',
      planEncoding(aChannel({ rolloverSeconds: 2 })).archives,
      new ArchiveUploader(s3, () => {}),
      2,
    );
    const first = recorder.startRun(0, mediaDir, 'archive/1234567/run1');
    const second = recorder.startRun(1, mediaDir, 'archive/1234567/run2');
    await first.prepare();
    await second.prepare();
    // What FFmpeg had written: files 0 and 1 closed (in its CSV list), file 2 half written (cut
    // in the middle of a packet), file 3 just opened; on pipeline 2 one closed file.
    const out1 = path.join(mediaDir, first.targets[0]!.dir);
    const out2 = path.join(mediaDir, second.targets[0]!.dir);
    await writeFile(path.join(out1, '000000.ts'), tsFile);
    await writeFile(path.join(out1, '000001.ts'), tsFile);
    const cutAt = Math.floor(tsFile.length / 2) + 77;
    await writeFile(path.join(out1, '000002.ts'), tsFile.subarray(0, cutAt));
    await writeFile(path.join(out1, '000003.ts'), Buffer.alloc(0));
    await writeFile(
      path.join(out1, 'files.csv'),
      '000000.ts,0.000000,2.000000\n000001.ts,2.000000,4.000000\n',
    );
    await writeFile(path.join(out2, '000000.ts'), tsFile);
    await writeFile(path.join(out2, 'files.csv'), '000000.ts,0.000000,2.000000\n');
    // A folder from before manifests existed: left alone.
    await mkdir(path.join(mediaDir, 'archive/7654321/old/archive_1080p'), { recursive: true });
    await writeFile(path.join(mediaDir, 'archive/7654321/old/archive_1080p/000000.ts'), tsFile);

    const logs: string[] = [];
    const plane = createMediaPlane({
      dataDir,
      rtmpPort: 0,
      originPort: 0,
      cdnPort: 0,
      s3,
      view: new FakeControlPlane(),
      logger: (line) => logs.push(line),
    });
    await plane.listen();
    try {
      await expect
        .poll(keys, { timeout: 20_000, interval: 200 })
        .toEqual([
          `${PREFIX}/_1/archive_1080p.000000.ts`,
          `${PREFIX}/_1/archive_1080p.000001.ts`,
          `${PREFIX}/_1/archive_1080p.000002.ts`,
          `${PREFIX}/_2/archive_1080p.000000.ts`,
        ]);
      await expect
        .poll(() => existsSync(path.join(mediaDir, 'archive/1234567/run1')), { timeout: 5_000 })
        .toBe(false);
    } finally {
      await plane.close();
    }
    expect(existsSync(path.join(mediaDir, 'archive/1234567/run2'))).toBe(false);
    expect(existsSync(path.join(mediaDir, 'archive/7654321/old/archive_1080p/000000.ts'))).toBe(true);
    expect(logs).toContainEqual(expect.stringMatching(/kept archive\/7654321\/old: no readable run\.json/));
    expect(logs).toContainEqual(expect.stringMatching(/uploading 3 file\(s\) left by run run1 .*\(1 cut/));

    const whole = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/_1/archive_1080p.000001.ts` }),
    );
    expect(Buffer.from(await whole.Body!.transformToByteArray()).equals(tsFile)).toBe(true);
    const cut = await s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}/_1/archive_1080p.000002.ts` }),
    );
    const cutBytes = Buffer.from(await cut.Body!.transformToByteArray());
    expect(cutBytes.length).toBe(cutAt - (cutAt % 188));
    expect(cutBytes.equals(tsFile.subarray(0, cutBytes.length))).toBe(true);
    // The cut file plays: its frames decode, all but the last one it holds only part of (the
    // 2 s sample has 60; the cut keeps about half of its bytes).
    const cutFile = path.join(dir, 'cut.ts');
    await writeFile(cutFile, cutBytes);
    const { stdout } = await run(binaries.ffprobe ?? 'ffprobe', [
      ...['-v', 'quiet', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames'],
      ...['-of', 'csv=p=0', cutFile],
    ]);
    expect(Number(stdout.trim().split(/\s+/)[0])).toBeGreaterThan(20);
  }, 60_000);
});
