/**
 * Clips end to end in local mode: a source whose frames carry their own index is pushed over RTMP,
 * encoded and archived by the local MediaLive; a clip of the running session plays at once from the
 * origin and the CDN (time-shifted URLs) and from its signed playlist link; its MP4 export (the
 * ExportClip workflow, FFmpeg behind the local MediaConvert) starts and ends on the requested
 * frames, read back from the pixels; the clip is still listed after a restart of local mode.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalApp } from '../../infra/local/app.js';
import { findFfmpeg } from '../../infra/local/ffmpeg.js';
import { FPS, frameIndexes, indexedSourceArgs, RATE } from '../support/frame-index.js';
import { apiClient, portsOf, startTestApp } from '../support/local-app.js';

const run = promisify(execFile);
const { ffmpeg, ffprobe } = findFfmpeg();
const SEGMENT_LENGTH = 2;
const RANGE = { start: 6.5, end: 10.5 };

function push(rtmpUrl: string, seconds: number) {
  return spawn(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    ...indexedSourceArgs('640x360'),
    '-t',
    String(seconds),
    '-r',
    RATE,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    '60',
    '-b:v',
    '3000k',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-f',
    'flv',
    rtmpUrl,
  ]);
}

let app: LocalApp & { dataDir: string };
let api: ReturnType<typeof apiClient>;
const dir = mkdtempSync(path.join(tmpdir(), 'clip-export-'));

beforeAll(async () => {
  app = await startTestApp();
  api = apiClient(app);
}, 120_000);
afterAll(async () => {
  await app?.close();
});

async function download(url: string, name: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

/** The frame indexes of the clip's playlist as played: its archive files one after the other. */
async function playlistFrames(playbackUrl: string): Promise<number[]> {
  const playlist = await (await fetch(playbackUrl)).text();
  const segments = playlist.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  const frames: number[] = [];
  for (const [i, url] of segments.entries())
    frames.push(...(await frameIndexes(ffmpeg, await download(url, `${i}.ts`))));
  return frames;
}

describe('clips in local mode', () => {
  it('plays a clip at once, exports it to the frame, and keeps it across a restart', async () => {
    const created = await api.call('POST', '/streams', { name: 'clips', segment_length: SEGMENT_LENGTH });
    const id = String(created.body.id);
    await api.waitForStatus(id, 'IDLE');
    expect((await api.call('POST', `/streams/${id}/start`)).status).toBe(202);
    const running = await api.waitForStatus(id, 'RUNNING');
    expect((await api.call('POST', `/streams/${id}/live`)).status).toBe(202);
    const sessionId = String(running.current_session_id);
    const pusher = push(String(running.rtmp1), 24);
    const pushed = new Promise<number | null>((resolve) => pusher.on('exit', resolve));

    // Once the range's files are closed and archived (a loaded machine lags behind the clock),
    // split the running session.
    const session = (await api.call('GET', `/streams/${id}/sessions`)).body[0] as {
      started_at: string;
      prefix: string;
    };
    const started = Date.parse(session.started_at);
    while (Date.now() < started + (RANGE.end + 2 * SEGMENT_LENGTH + 1) * 1000) {
      await new Promise((r) => setTimeout(r, 500));
    }
    const s3 = new S3Client({
      endpoint: app.endpoints.s3,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: app.stack.credentials,
    });
    const lastFile = Math.floor(RANGE.end / SEGMENT_LENGTH);
    const lastKey = `${session.prefix}/_1/archive_1080p.${String(lastFile).padStart(6, '0')}.ts`;
    await expect
      .poll(
        async () =>
          (
            await s3.send(
              new ListObjectsV2Command({ Bucket: app.stack.archiveBucket, Prefix: lastKey, MaxKeys: 1 }),
            )
          ).KeyCount ?? 0,
        { timeout: 60_000, interval: 500 },
      )
      .toBe(1);
    const live = await api.call('GET', `/streams/${id}`);
    expect(live.body.cloudfront_associated).toBe(true);
    const split = await api.call('POST', `/streams/${id}/split`, {
      session_id: sessionId,
      timestamp_list: [RANGE],
      name_modifier: 'frames',
    });
    expect(split.status, JSON.stringify(split.body)).toBe(200);
    const [made] = split.body.clips as unknown as Array<{
      clip_id: string;
      playback_url: string;
      instant: { origin: string; cdn: string | null; expires_at: string } | null;
    }>;
    expect(made?.clip_id).toMatch(/^[0-9a-f]{20}$/);

    // Instant: the live origin and the CDN serve the range time-shifted, without any copy.
    expect(made?.instant?.origin).toMatch(/\?start=\d+&end=\d+$/);
    expect(made?.instant?.cdn).toMatch(/\?start=\d+&end=\d+$/);
    for (const url of [made?.instant?.origin, made?.instant?.cdn] as string[]) {
      const master = await fetch(url);
      expect(master.status, url).toBe(200);
      const rendition = (await master.text())
        .split('\n')
        .find((l) => l !== '' && !l.startsWith('#')) as string;
      const media = await (await fetch(new URL(rendition, url))).text();
      expect(media).toContain('#EXTINF:');
    }

    // The signed link plays without the API token (it is what a player, Safari or VLC gets).
    const playlist = await fetch(String(made?.playback_url));
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const probed = await run(ffprobe ?? 'ffprobe', [
      '-v',
      'error',
      '-protocol_whitelist',
      'file,http,tcp,crypto',
      '-show_entries',
      'format=duration',
      '-of',
      'csv=p=0',
      String(made?.playback_url),
    ]);
    expect(Number(probed.stdout.trim())).toBeGreaterThan(RANGE.end - RANGE.start);

    expect(await pushed).toBe(0);
    expect((await api.call('POST', `/streams/${id}/stop`)).status).toBe(202);
    await api.waitForStatus(id, 'IDLE');

    // Export: an MP4 of exactly [6.5 s, 10.5 s) of the archive's timeline.
    const clipId = String(made?.clip_id);
    const exported = await api.call('POST', `/streams/${id}/clips/${clipId}/exports`);
    expect(exported.status, JSON.stringify(exported.body)).toBe(202);
    let clip = exported.body;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      clip = (await api.call('GET', `/streams/${id}/clips/${clipId}`)).body;
      const status = (clip.exports as Array<{ status: string }>)[0]?.status;
      if (status === 'COMPLETE' || status === 'ERROR') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const [item] = clip.exports as Array<{ status: string; download_url: string; error: string | null }>;
    expect(item?.status, item?.error ?? '').toBe('COMPLETE');
    const mp4 = await download(String(item?.download_url), 'clip.mp4');
    const got = await frameIndexes(ffmpeg, mp4);

    const covered = clip.covered as { start: number; end: number };
    const archive = await playlistFrames(String(clip.playback_url));
    const first = Math.ceil((RANGE.start - covered.start) * FPS - 1e-6);
    const last = Math.ceil((RANGE.end - covered.start) * FPS - 1e-6) - 1;
    // The range's frames are the pushed source's, one after another (no slate, none dropped).
    expect(archive[last]! - archive[first]!).toBe(last - first);
    expect(
      Math.abs(got[0]! - archive[first]!),
      `first frame ${got[0]} vs ${archive[first]}`,
    ).toBeLessThanOrEqual(1);
    expect(
      Math.abs(got.at(-1)! - archive[last]!),
      `last frame ${got.at(-1)} vs ${archive[last]}`,
    ).toBeLessThanOrEqual(1);
    expect(Math.abs(got.length - (last - first + 1))).toBeLessThanOrEqual(1);
    const duration = await run(ffprobe ?? 'ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=duration',
      '-of',
      'csv=p=0',
      mp4,
    ]);
    expect(Math.abs(Number(duration.stdout.trim()) - (RANGE.end - RANGE.start))).toBeLessThanOrEqual(
      1 / FPS + 1e-3,
    );

    // After a restart of local mode, the clip and its export are still there.
    const ports = portsOf(app);
    await app.close();
    app = await startTestApp(app.dataDir, ports);
    const after = await api.call('GET', `/streams/${id}/clips`);
    expect(after.status).toBe(200);
    const listed = after.body as unknown as Array<{ id: string; exports: Array<{ status: string }> }>;
    expect(listed.map((c) => c.id)).toEqual([clipId]);
    expect(listed[0]?.exports[0]?.status).toBe('COMPLETE');
  }, 420_000);
});
