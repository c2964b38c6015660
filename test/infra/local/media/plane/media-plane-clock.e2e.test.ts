/**
 * The local channel keeps MediaLive's clock: it encodes from the moment it starts (the input-loss
 * slate, black with silence, while nothing is pushed), so archive file k covers [k·L, (k+1)·L) of
 * the session. Real FFmpeg, a 2 s segment and archive length, a publisher that starts 5 s after the
 * channel and whose frames carry their own number (the luma of each frame is 30 + its frame number
 * modulo 200), so that where each of its frames landed in the archive can be read back.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../../../infra/local/ffmpeg.js';
import {
  createMediaPlane,
  type LocalMediaPlane,
} from '../../../../../infra/local/media/plane/media-plane.js';
import { aChannel, FakeControlPlane } from './channel-builder.js';

const run = promisify(execFile);
interface LocalS3 {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => LocalS3;
const binaries = findFfmpeg();
const BUCKET = 'archive-bucket';
const PREFIX = '2026/11/23/ABC-1700000000/_1/';
const KEY = 'c10ckStreamKeyValue0123456789abcd';
const HASH = 'fedcba9876543210fedcba9876543210';
const CHANNEL = '2345678';
/** Segment and archive file length. */
const L = 2;
const PUSH_AFTER_MS = 5_000;
const PUSH_SECONDS = 8;
const SLATE_LUMA = 16;
/** Luma of the publisher's frame n: 30 + n mod 200 (well apart from the slate's 16). */
const lumaOf = (frame: number) => 30 + (frame % 200);

let dir: string;
let s3rver: LocalS3;
let s3: S3Client;
let plane: LocalMediaPlane;
let urls: { rtmpUrl: string; originUrl: string };
const view = new FakeControlPlane();
const logs: Array<{ at: number; line: string }> = [];
let pusher: ChildProcess | undefined;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Each video frame's presentation time and mean luma. */
async function frames(file: string): Promise<Array<{ pts: number; luma: number }>> {
  const { stdout } = await run(
    binaries.ffmpeg,
    [
      ...['-hide_banner', '-v', 'error', '-i', file, '-an', '-vf'],
      'scale=160:90,signalstats,metadata=print:file=-',
      ...['-f', 'null', '-'],
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const result: Array<{ pts: number; luma: number }> = [];
  let pts = Number.NaN;
  for (const line of stdout.split('\n')) {
    const time = /pts_time:([\d.]+)/.exec(line)?.[1];
    if (time) pts = Number(time);
    const luma = /lavfi\.signalstats\.YAVG=([\d.]+)/.exec(line)?.[1];
    if (luma) result.push({ pts, luma: Number(luma) });
  }
  return result;
}

async function videoTiming(file: string): Promise<{ start: number; duration: number }> {
  const { stdout } = await run(binaries.ffprobe ?? 'ffprobe', [
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=start_time,duration'],
    ...['-of', 'json', file],
  ]);
  const stream = (JSON.parse(stdout) as { streams: Array<{ start_time: string; duration: string }> })
    .streams[0];
  return { start: Number(stream?.start_time), duration: Number(stream?.duration) };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'media-plane-clock-'));
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
  view.inputs.push({ id: 'input-1', streamNames: [`live/${KEY}`] });
  view.packageChannels.push({
    id: 'pkg-clock',
    endpoints: [
      {
        id: 'endpoint-1',
        url: `http://127.0.0.1/out/v1/${HASH}/index.m3u8`,
        startoverWindowSeconds: 600,
        manifestName: 'index',
      },
    ],
  });
  plane = createMediaPlane({
    dataDir: path.join(dir, 'data'),
    rtmpPort: 0,
    originPort: 0,
    cdnPort: 0,
    s3,
    view,
    logger: (line) => logs.push({ at: Date.now(), line }),
  });
  urls = await plane.listen();
});

afterAll(async () => {
  pusher?.kill('SIGKILL');
  await plane?.close();
  await s3rver?.close();
  s3?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('local channel clock', () => {
  it('archives the slate from channel start, then the publisher at its own time, in contiguous files', async () => {
    const channel = aChannel({
      id: CHANNEL,
      packageChannelId: 'pkg-clock',
      segmentSeconds: L,
      rolloverSeconds: L,
    });
    view.channels.push(channel);
    await plane.startChannel(channel);
    const startedAt = Date.now();

    // While nothing is pushed, the origin already serves the slate: black.
    const media = await until('a slate segment at the origin', async () => {
      const response = await fetch(`${urls.originUrl}/out/v1/${HASH}/index_1.m3u8`);
      const text = response.ok ? await response.text() : '';
      return text.includes('#EXTINF') ? text : undefined;
    });
    const segmentName = media.split('\n').find((line) => line.endsWith('.ts')) as string;
    const segment = path.join(dir, 'slate-segment.ts');
    await writeFile(
      segment,
      Buffer.from(await (await fetch(`${urls.originUrl}/out/v1/${HASH}/${segmentName}`)).arrayBuffer()),
    );
    const slateFrames = await frames(segment);
    expect(slateFrames.length).toBeGreaterThan(0);
    for (const frame of slateFrames) expect(frame.luma).toBeCloseTo(SLATE_LUMA, 0);
    expect(Date.now() - startedAt).toBeLessThan(PUSH_AFTER_MS);
    expect(plane.isPublishing('live', KEY)).toBe(false);

    await new Promise((resolve) => setTimeout(resolve, PUSH_AFTER_MS - (Date.now() - startedAt)));
    pusher = spawn(
      binaries.ffmpeg,
      [
        ...['-hide_banner', '-loglevel', 'error', '-re'],
        // The frame number in the luma, as `lumaOf` reads it back.
        ...['-f', 'lavfi', '-i', "nullsrc=s=320x180:r=30,geq=lum='30+mod(N\\,200)':cb=128:cr=128"],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
        ...[
          '-t',
          String(PUSH_SECONDS),
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-g',
          '30',
          '-pix_fmt',
          'yuv420p',
        ],
        ...['-c:a', 'aac', '-f', 'flv', `${urls.rtmpUrl}/live/${KEY}`],
      ],
      { stdio: 'ignore' },
    );
    const pushed = new Promise<number | null>((resolve) => pusher?.on('exit', resolve));
    expect(await pushed).toBe(0);
    // A few seconds of slate after the publisher leaves, then stop.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await plane.stopChannel(CHANNEL);

    const joined = logs.find(({ line }) => line.startsWith(`input ${CHANNEL}: encoding live/`));
    expect(joined).toBeDefined();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: PREFIX }));
    const keys = (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
    const counters = keys.map((key) => Number(/\.(\d{6})\.ts$/.exec(key)?.[1]));
    expect(counters).toEqual(counters.map((_, i) => i));
    expect(counters.length).toBeGreaterThanOrEqual(Math.floor((PUSH_AFTER_MS / 1000 + PUSH_SECONDS + 3) / L));

    // Contiguous files of L seconds (the last one shorter), the first starting at the channel's 0.
    const files: string[] = [];
    const timings: Array<{ start: number; duration: number }> = [];
    for (const key of keys) {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      const file = path.join(dir, path.basename(key));
      await writeFile(file, await object.Body!.transformToByteArray());
      files.push(file);
      timings.push(await videoTiming(file));
    }
    expect(timings[0]?.start).toBeLessThan(0.1);
    timings.forEach((timing, k) => {
      if (k < timings.length - 1) expect(timing.duration).toBeCloseTo(L, 1);
      const next = timings[k + 1];
      if (next) expect(next.start).toBeCloseTo(timing.start + timing.duration, 1);
    });

    // File 0 is the slate; the publisher's frames start where the channel's clock says they were
    // joined, and each sits at its own time (its number matches its timestamp).
    const all = path.join(dir, 'all.ts');
    await writeFile(all, Buffer.concat(await Promise.all(files.map((file) => readFile(file)))));
    const archived = await frames(all);
    const fileZero = archived.filter((frame) => frame.pts < L);
    expect(fileZero.length).toBeGreaterThan(50);
    for (const frame of fileZero) expect(frame.luma).toBeCloseTo(SLATE_LUMA, 0);
    const input = archived.filter((frame) => frame.luma > 24);
    const first = input[0];
    expect(first).toBeDefined();
    const joinedAt = ((joined?.at ?? 0) - startedAt) / 1000;
    expect(Math.abs((first?.pts ?? 0) - joinedAt)).toBeLessThan(0.5);
    const firstNumber = Math.round((first?.luma ?? 0) - 30);
    let matching = 0;
    for (const frame of input) {
      // The publisher sends 30 frames a second; the channel's 29.97 output keeps their times.
      const expected = lumaOf(firstNumber + Math.round((frame.pts - (first?.pts ?? 0)) * 30));
      if (Math.abs(frame.luma - expected) <= 3) matching += 1;
    }
    console.log(
      `clock: ${keys.length} files; first input frame at ${first?.pts.toFixed(3)} s, joined at ${joinedAt.toFixed(3)} s ` +
        `of the channel's clock; ${matching} of ${input.length} input frames at their own time; ` +
        `files ${timings.map((t) => `${t.start.toFixed(3)}+${t.duration.toFixed(3)}`).join(' ')}`,
    );
    expect(matching / input.length).toBeGreaterThan(0.95);
    // The input covers its push (less the wait for its first key frame), then the slate again.
    const last = input.at(-1)?.pts ?? 0;
    expect(last - (first?.pts ?? 0)).toBeGreaterThan(PUSH_SECONDS - 2);
    expect(archived.at(-1)?.luma).toBeCloseTo(SLATE_LUMA, 0);
  }, 90_000);
});
