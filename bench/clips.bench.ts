/**
 * `npm run bench:clips`: clips in local mode, with real video.
 *
 * 1. A stream with 2 s archive files is started and a source whose frames carry their own index
 *    (test/support/frame-index.ts) is pushed over RTMP for CLIPS_PUSH_SECONDS (default 30).
 * 2. Once [RANGE_START, RANGE_END) is archived, one split of the running session: its wall time.
 * 3. Instant URLs: right after the split answers, the time from sending the GET of `instant.origin`
 *    (and `instant.cdn`) to its answer, then of the rendition playlist it names; SAMPLES times each.
 *    The target: answered in under 1 s after the request.
 * 4. The MP4 export (ExportClip, the local MediaConvert): its wall time from the POST to COMPLETE,
 *    then its frames read back: first and last frame against the archive's frames at the requested
 *    times, frame count and duration against the range.
 *
 * Nothing here talks to AWS.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { findFfmpeg } from '../infra/local/ffmpeg.js';
import { FPS, frameIndexes, indexedSourceArgs, RATE } from '../test/support/frame-index.js';
import { apiClient, startTestApp } from '../test/support/local-app.js';

const run = promisify(execFile);
const { ffmpeg, ffprobe } = findFfmpeg();
const PUSH_SECONDS = Number(process.env.CLIPS_PUSH_SECONDS ?? 30);
const SAMPLES = Number(process.env.CLIPS_SAMPLES ?? 20);
const RANGE = { start: 6.5, end: 16.5 };
const dir = mkdtempSync(path.join(tmpdir(), 'clips-bench-'));

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function timedGet(url: string): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  return { ms: performance.now() - started, status: res.status, body };
}

async function download(url: string, name: string): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.from(await (await fetch(url)).arrayBuffer()));
  return file;
}

async function main(): Promise<void> {
  console.log(
    `machine: ${cpus().length} cores, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const app = await startTestApp();
  const api = apiClient(app);
  try {
    const created = await api.call('POST', '/streams', { name: 'bench-clips', segment_length: 2 });
    const id = String(created.body.id);
    await api.waitForStatus(id, 'IDLE');
    await api.call('POST', `/streams/${id}/start`);
    const running = await api.waitForStatus(id, 'RUNNING');
    await api.call('POST', `/streams/${id}/live`);
    const sessionId = String(running.current_session_id);
    const pusher = spawn(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      ...indexedSourceArgs('640x360'),
      '-t',
      String(PUSH_SECONDS),
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
      '-c:a',
      'aac',
      '-f',
      'flv',
      String(running.rtmp1),
    ]);
    const pushed = new Promise((resolve) => pusher.on('exit', resolve));
    const sessions = await api.call('GET', `/streams/${id}/sessions`);
    const started = Date.parse(String((sessions.body[0] as { started_at: string }).started_at));
    while (Date.now() < started + (RANGE.end + 5) * 1000) await new Promise((r) => setTimeout(r, 250));

    const splitStarted = performance.now();
    const split = await api.call('POST', `/streams/${id}/split`, {
      session_id: sessionId,
      timestamp_list: [RANGE],
    });
    const splitMs = performance.now() - splitStarted;
    const [clip] = split.body.clips as unknown as Array<{
      clip_id: string;
      playback_url: string;
      instant: { origin: string; cdn: string | null } | null;
    }>;
    if (!clip?.instant) throw new Error(`no instant URL: ${JSON.stringify(split.body)}`);
    console.log(`split (1 clip, running session): ${ms(splitMs)}`);

    const rows: string[] = [];
    for (const [name, url] of [
      ['origin', clip.instant.origin],
      ['cdn', clip.instant.cdn],
      ['playback_url', clip.playback_url],
    ] as const) {
      if (!url) continue;
      const masters: number[] = [];
      const renditions: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const master = await timedGet(url);
        if (master.status !== 200) throw new Error(`${name}: ${master.status} ${master.body}`);
        masters.push(master.ms);
        const child = master.body.split('\n').find((l) => l !== '' && !l.startsWith('#')) as string;
        if (name !== 'playback_url') {
          const rendition = await timedGet(new URL(child, url).toString());
          if (rendition.status !== 200) throw new Error(`${name} rendition: ${rendition.status}`);
          renditions.push(rendition.ms);
        }
      }
      rows.push(
        `| ${name} | ${SAMPLES} | first ${ms(masters[0] ?? 0)}, median ${ms(percentile(masters, 50))}, p95 ${ms(percentile(masters, 95))}, max ${ms(Math.max(...masters))} | ` +
          (renditions.length
            ? `median ${ms(percentile(renditions, 50))}, max ${ms(Math.max(...renditions))}`
            : 'n/a (segments are presigned S3 URLs)') +
          ' |',
      );
    }
    console.log('\n| URL | samples | playlist answered in | rendition playlist |\n|---|---|---|---|');
    for (const row of rows) console.log(row);

    await pushed;
    await api.call('POST', `/streams/${id}/stop`);
    await api.waitForStatus(id, 'IDLE');
    const exportStarted = performance.now();
    await api.call('POST', `/streams/${id}/clips/${clip.clip_id}/exports`);
    let record: Record<string, unknown> = {};
    for (;;) {
      record = (await api.call('GET', `/streams/${id}/clips/${clip.clip_id}`)).body;
      const status = (record.exports as Array<{ status: string }>)[0]?.status;
      if (status === 'COMPLETE' || status === 'ERROR') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const exportMs = performance.now() - exportStarted;
    const [item] = record.exports as Array<{ status: string; download_url: string; error: string | null }>;
    if (item?.status !== 'COMPLETE') throw new Error(`export ${item?.status}: ${item?.error}`);
    const got = await frameIndexes(ffmpeg, await download(item.download_url, 'clip.mp4'));
    const playlist = await (await fetch(String(record.playback_url))).text();
    const archive: number[] = [];
    for (const [i, url] of playlist
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .entries())
      archive.push(...(await frameIndexes(ffmpeg, await download(url, `${i}.ts`))));
    const covered = record.covered as { start: number };
    const first = Math.ceil((RANGE.start - covered.start) * FPS - 1e-6);
    const last = Math.ceil((RANGE.end - covered.start) * FPS - 1e-6) - 1;
    const { stdout } = await run(ffprobe ?? 'ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=duration',
      '-of',
      'csv=p=0',
      path.join(dir, 'clip.mp4'),
    ]);
    const duration = Number(stdout.trim());
    console.log(
      `\nexport [${RANGE.start} s, ${RANGE.end} s): POST to COMPLETE ${(exportMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `| frames expected | frames in the MP4 | first frame: expected / got | last frame: expected / got | duration: range / MP4 |\n|---|---|---|---|---|\n` +
        `| ${last - first + 1} | ${got.length} | ${archive[first]} / ${got[0]} | ${archive[last]} / ${got.at(-1)} | ` +
        `${(RANGE.end - RANGE.start).toFixed(3)} s / ${duration.toFixed(3)} s (${((duration - (RANGE.end - RANGE.start)) * FPS).toFixed(2)} frames) |`,
    );
  } finally {
    await app.close();
  }
}

await main();
