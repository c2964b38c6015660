/**
 * `npm run bench:local`: local mode on this machine, against the targets in docs/benchmarks.md.
 *
 * 1. Start-up: `startLocalApp` until `GET /health` answers 200, each in a fresh process (a start in
 *    the same process would find every module already imported). Cold = the run's first start (the
 *    state machine definitions are rendered in-process at every start; the app caches nothing, so
 *    only the OS's file cache differs); warm = the next WARM_STARTS, median. Target ≤ 10 s.
 * 2. Encoder: a 1080p30 test pattern (encoded to a file beforehand, then pushed with `-re -c copy`
 *    so that the pusher costs no CPU, as OBS on another machine would not) is pushed over RTMP for
 *    PUSH_SECONDS to a running stream. The figures come from the media plane's own log lines
 *    (`encoder <id>: speed=… fps=… frame=… time=…s dup=… drop=… cpu=…`, FFmpeg's `-progress`).
 *    Target: real time (speed ≥ 1.0) with no dropped frames.
 * 3. Latency: the 1080p rendition playlist is polled at the HLS origin every POLL_MS; each segment's
 *    first appearance is compared with the wall-clock time its first frame went into the encoder.
 *    The channel encodes from its start (the slate until the push, input-relay.ts), on a clock that
 *    is the wall clock since its run began (the `encoder <id>: run` log line): segment k's first
 *    frame is at run start + the durations of segments 0..k-1, and from the join on (the
 *    `input <id>: encoding` line) that frame was pushed then. Segments with the pushed input count.
 *    Target ≤ 3 segment lengths.
 * 4. Simulcast: the same push to a stream with one destination (its 1080p rendition) pushed to an
 *    FFmpeg RTMP listener on loopback (`-listen 1`, reading and discarding). Target: no dropped
 *    frame more than without simulcast. `BENCH_PHASES=simulcast` runs only this one.
 *
 * The load average is checked first: other work on the machine slows FFmpeg down, so the bench
 * waits (up to BENCH_MAX_WAIT_S, default 180 s) for a quieter machine and prints the load it got.
 * Nothing here talks to AWS: every endpoint is on 127.0.0.1, on free ports.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalApp } from '../infra/local/app.js';
import { findFfmpeg } from '../infra/local/ffmpeg.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WARM_STARTS = 3;
const PUSH_SECONDS = Number(process.env.BENCH_PUSH_SECONDS ?? 60);
const MAX_WAIT_S = Number(process.env.BENCH_MAX_WAIT_S ?? 180);
/** Load per core under which the machine counts as quiet enough to measure. */
const QUIET_LOAD_PER_CORE = 0.75;
const POLL_MS = 100;
/** The local HLS segment length (MediaLive's MediaPackage output group: 6 s, core/encoder-profile.ts). */
const SEGMENT_SECONDS = 6;
const TARGETS = {
  startupMs: 10_000,
  speed: 1.0,
  dropFrames: 0,
  latencySegments: 3,
  inputLossShownS: 5,
  thumbnailAgeS: 10,
};
const FREE = {
  dynamodb: 0,
  s3: 0,
  sfn: 0,
  media: 0,
  rtmp: 0,
  origin: 0,
  cdn: 0,
  events: 0,
  scheduler: 0,
  cloudwatch: 0,
  secretsmanager: 0,
};
const ONLY_SIMULCAST = process.env.BENCH_PHASES === 'simulcast';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface StartupSample {
  /** startLocalApp called → /health answered 200. */
  startMs: number;
  /** Process start → /health answered 200 (what `npm start` feels like, minus npm itself). */
  processMs: number;
  /** CPU time of the process until then: what the start costs whatever the machine's load. */
  cpuMs: number;
}

/** Child mode: one start-up, measured in a fresh process, printed as one JSON line. */
async function probeStartup(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-startup-'));
  const began = performance.now();
  const app = await startLocalApp({
    dataDir,
    apiPort: 0,
    apiToken: 'bench',
    ports: FREE,
    log: () => undefined,
  });
  for (;;) {
    const res = await fetch(`${app.apiUrl}/health`).catch(() => undefined);
    if (res?.status === 200) break;
    await sleep(10);
  }
  const cpu = process.cpuUsage();
  const sample: StartupSample = {
    startMs: performance.now() - began,
    processMs: performance.now(),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(JSON.stringify(sample));
}

function runProbe(): Promise<StartupSample> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), '--probe-startup'],
      {
        cwd: ROOT,
        env: { ...process.env, NODE_NO_WARNINGS: '1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) reject(new Error(`start-up probe exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as StartupSample);
    });
  });
}

async function waitForQuietMachine(phase: string): Promise<void> {
  const limit = cpus().length * QUIET_LOAD_PER_CORE;
  const deadline = Date.now() + MAX_WAIT_S * 1000;
  while ((loadavg()[0] ?? 0) > limit && Date.now() < deadline) {
    console.log(`  (${phase}: load ${load()} > ${limit.toFixed(2)}, waiting for a quieter machine)`);
    await sleep(15_000);
  }
  console.log(`  ${phase}: load average ${load()} when measured`);
}

/** A 1080p30 pattern with a running clock and a tone, encoded once, like a publisher's output. */
function encodePattern(ffmpeg: string, seconds: number): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bench-pattern-')), 'pattern.flv');
  execFileSync(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=30',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    String(seconds),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '60',
    '-b:v',
    '6000k',
    '-maxrate',
    '6000k',
    '-bufsize',
    '12000k',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    file,
  ]);
  return file;
}

interface PushProgress {
  /** Wall clock (ms) minus pushed media time: when media time 0 was (or would have been) sent. */
  originMs: number;
  samples: number;
}

function push(
  ffmpeg: string,
  file: string,
  rtmpUrl: string,
): { child: ChildProcess; progress: PushProgress } {
  const child = spawn(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostats',
    '-progress',
    'pipe:1',
    '-stats_period',
    '0.25',
    '-re',
    '-i',
    file,
    '-c',
    'copy',
    '-f',
    'flv',
    rtmpUrl,
  ]);
  const progress: PushProgress = { originMs: Number.POSITIVE_INFINITY, samples: 0 };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const now = Date.now();
    for (const match of chunk.matchAll(/out_time_us=(\d+)/g)) {
      // `-re` never sends ahead of the clock: the smallest (wall − media time) is when media time 0
      // went out; later samples only add delay. Taking it makes the latency below an upper bound.
      progress.originMs = Math.min(progress.originMs, now - Number(match[1]) / 1000);
      progress.samples += 1;
    }
  });
  return { child, progress };
}

interface ListedSegment {
  uri: string;
  /** Its media sequence number: segment k of the run. */
  seq: number;
  duration: number;
  /** When it was first seen in the rendition playlist (ms). */
  listedAt: number;
  programDateTime?: number;
}

/** Polls a media playlist and records when each segment first appears in it. */
function watchPlaylist(url: string): { segments: ListedSegment[]; stop: () => Promise<void> } {
  const segments: ListedSegment[] = [];
  const seen = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const text = await fetch(url)
        .then((r) => (r.ok ? r.text() : ''))
        .catch(() => '');
      const now = Date.now();
      let duration = 0;
      let pdt: number | undefined;
      let seq = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? 0);
      for (const line of text.split('\n')) {
        if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
        else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
        else if (line && !line.startsWith('#')) {
          if (!seen.has(line)) {
            seen.add(line);
            segments.push({
              uri: line,
              seq,
              duration,
              listedAt: now,
              ...(pdt === undefined ? {} : { programDateTime: pdt }),
            });
          }
          pdt = undefined;
          seq += 1;
        }
      }
      await sleep(POLL_MS);
    }
  })();
  return {
    segments,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

interface EncoderLine {
  at: number;
  speed?: number;
  fps?: number;
  frame?: number;
  time?: number;
  dup?: number;
  drop?: number;
  cpu?: number;
  exited: boolean;
}

function parseEncoderLine(line: string, at: number): EncoderLine | undefined {
  if (!/encoder \S+: (exited .*, last )?speed=/.test(line)) return undefined;
  const num = (re: RegExp) => {
    const value = re.exec(line)?.[1];
    return value === undefined ? undefined : Number(value);
  };
  const parsed: EncoderLine = { at, exited: line.includes(': exited') };
  const fields: Array<[keyof EncoderLine, RegExp]> = [
    ['speed', /speed=([\d.]+)x/],
    ['fps', /fps=([\d.]+)/],
    ['frame', /frame=(\d+)/],
    ['time', /time=([\d.]+)s/],
    ['dup', /dup=(\d+)/],
    ['drop', /drop=(\d+)/],
    ['cpu', /cpu=([\d.]+) cores/],
  ];
  for (const [key, re] of fields) {
    const value = num(re);
    if (value !== undefined) Object.assign(parsed, { [key]: value });
  }
  return parsed;
}

interface StreamResult {
  encoder: EncoderLine[];
  segments: ListedSegment[];
  pushOriginMs: number;
  pushExit: number | null;
  pushEndedAt: number;
  encoderLog: string[];
  /** When the encoder run began (its clock's 0) and when it joined the pushed input. */
  runAt: number;
  joinAt: number;
  /** Thumbnail ages (s) seen while the push ran, polled every second through the API. */
  thumbnailAges: number[];
  /** When health first showed pipeline 1's input not connected after the push ended. */
  lossShownAt: number;
}

/** An RTMP server on loopback that takes one publish and discards it (a platform stand-in). */
async function rtmpSink(ffmpeg: string): Promise<{ url: string; received: () => number; stop: () => void }> {
  const net = await import('node:net');
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const url = `rtmp://127.0.0.1:${port}/live`;
  let frames = 0;
  const child = spawn(ffmpeg, [
    ...['-hide_banner', '-loglevel', 'error', '-nostats', '-progress', 'pipe:1'],
    ...['-listen', '1', '-i', `${url}/benchkey`, '-c', 'copy', '-f', 'null', '-'],
  ]);
  child.stdout.on('data', (chunk: Buffer) => {
    const found = /frame=(\d+)/g;
    for (const match of chunk.toString().matchAll(found)) frames = Number(match[1]);
  });
  return { url, received: () => frames, stop: () => child.kill('SIGKILL') };
}

async function streamBench(ffmpeg: string, pattern: string, simulcastUrl?: string): Promise<StreamResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-local-'));
  const encoderLog: string[] = [];
  const encoder: EncoderLine[] = [];
  let runAt = Number.NaN;
  let joinAt = Number.NaN;
  let inputGone = false;
  const app = await startLocalApp({
    dataDir,
    apiPort: 0,
    apiToken: 'bench',
    ports: FREE,
    // The local MediaLive's transition delays are not under test: keep them short.
    timings: { createMs: 300, startMs: 1000, stopMs: 500, deleteMs: 300, updateMs: 100 },
    pollIntervalMs: 100,
    log: (line) => {
      if (!line.includes('encoder ') && !line.includes('input ')) return;
      encoderLog.push(line);
      if (/encoder \S+: run /.test(line) && Number.isNaN(runAt)) runAt = Date.now();
      if (/input \S+: encoding /.test(line) && Number.isNaN(joinAt)) joinAt = Date.now();
      if (/input \S+: (input gone|no video)/.test(line)) inputGone = true;
      const parsed = parseEncoderLine(line, Date.now());
      if (parsed) encoder.push(parsed);
    },
  });
  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${app.apiUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const waitFor = async (id: string, status: string) => {
    for (let i = 0; i < 600; i++) {
      const stream = await call('GET', `/streams/${id}`);
      if (stream.status === status) return stream;
      if (stream.status === 'FAILED') throw new Error(`stream FAILED: ${JSON.stringify(stream.error)}`);
      await sleep(200);
    }
    throw new Error(`stream ${id} never reached ${status}`);
  };
  try {
    const body = simulcastUrl
      ? {
          name: 'bench',
          destinations: [{ name: 'sink', url: simulcastUrl, stream_key: 'benchkey', rendition: '1080p' }],
        }
      : { name: 'bench' };
    const id = String((await call('POST', '/streams', body)).id);
    await waitFor(id, 'IDLE');
    await call('POST', `/streams/${id}/start`);
    const running = await waitFor(id, 'RUNNING');
    const master = String(running.viewer_endpoint);
    const base = master.replace(/[^/]+$/, '');

    const pusher = push(ffmpeg, pattern, String(running.rtmp1));
    const pushExit = new Promise<number | null>((resolve) => pusher.child.on('close', resolve));
    // Health and thumbnails as the console reads them, once a second.
    const thumbnailAges: number[] = [];
    let lossShownAt = Number.NaN;
    let pushing = true;
    let watching = true;
    const healthWatch = (async () => {
      while (watching) {
        const at = Date.now();
        const auth = { authorization: `Bearer ${app.token}` };
        const [health, thumbnail] = await Promise.all([
          fetch(`${app.apiUrl}/streams/${id}/health`, { headers: auth })
            .then((r) => r.json())
            .catch(() => undefined),
          fetch(`${app.apiUrl}/streams/${id}/thumbnail`, {
            headers: { ...auth, accept: 'image/jpeg' },
          }).catch(() => undefined),
        ]);
        const taken = Date.parse(thumbnail?.headers.get('x-thumbnail-time') ?? '');
        if (pushing && thumbnail?.status === 200 && !Number.isNaN(taken))
          thumbnailAges.push((at - taken) / 1000);
        await thumbnail?.arrayBuffer().catch(() => undefined);
        const connected = (
          health as { pipelines?: Array<{ input: { connected: boolean | null } }> } | undefined
        )?.pipelines?.[0]?.input.connected;
        if (!pushing && connected === false && Number.isNaN(lossShownAt)) lossShownAt = Date.now();
        await sleep(Math.max(0, 1000 - (Date.now() - at)));
      }
    })();
    // The rendition playlists exist once the encoder has written its first segment.
    let top: string | undefined;
    for (let i = 0; i < 300 && !top; i++) {
      const text = await fetch(master)
        .then((r) => (r.ok ? r.text() : ''))
        .catch(() => '');
      const line = text.split('\n').find((l) => l.includes('RESOLUTION=1920x1080'));
      const lines = text.split('\n');
      const uri = line ? lines[lines.indexOf(line) + 1] : undefined;
      if (uri) top = new URL(uri, base).toString();
      else await sleep(POLL_MS);
    }
    if (!top) throw new Error('the master playlist never listed a 1920x1080 rendition');
    const watcher = watchPlaylist(top);
    const code = await pushExit;
    const pushEndedAt = Date.now();
    pushing = false;
    // The encoder goes on (the slate): wait for it to notice, then for the last input segment.
    for (let i = 0; i < 300 && !inputGone; i++) await sleep(100);
    await sleep(SEGMENT_SECONDS * 1000 + 1500);
    await watcher.stop();
    watching = false;
    await healthWatch;

    await call('POST', `/streams/${id}/stop`);
    await waitFor(id, 'IDLE');
    await call('DELETE', `/streams/${id}`);
    return {
      encoder,
      segments: watcher.segments,
      pushOriginMs: pusher.progress.originMs,
      pushExit: code,
      pushEndedAt,
      encoderLog,
      runAt,
      joinAt,
      thumbnailAges,
      lossShownAt,
    };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function verdict(ok: boolean): string {
  return ok ? 'MEETS TARGET' : 'MISSES TARGET';
}

async function main(): Promise<void> {
  const { ffmpeg } = findFfmpeg();
  const ffmpegVersion = execFileSync(ffmpeg, ['-version'], { encoding: 'utf8' }).split('\n')[0] ?? '';
  console.log(`local mode benchmark, ${new Date().toISOString()}`);
  console.log(
    `machine       ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${ffmpegVersion}`,
  );
  console.log(`load average  ${load()} at start`);
  const checks: Array<[string, boolean]> = [];

  if (ONLY_SIMULCAST) {
    await simulcastPhase(ffmpeg, checks);
    return report(checks);
  }

  // 1. Start-up
  await waitForQuietMachine('start-up');
  const cold = await runProbe();
  const warm: StartupSample[] = [];
  for (let i = 0; i < WARM_STARTS; i++) warm.push(await runProbe());
  const warmStart = median(warm.map((s) => s.startMs));
  const warmProcess = median(warm.map((s) => s.processMs));
  console.log(
    `start-up cold ${(cold.startMs / 1000).toFixed(2)} s startLocalApp → /health 200 (process start → /health: ${(cold.processMs / 1000).toFixed(2)} s, ${(cold.cpuMs / 1000).toFixed(2)} s CPU; the run's first start)`,
  );
  console.log(
    `start-up warm ${(warmStart / 1000).toFixed(2)} s median of ${WARM_STARTS} (process start → /health: ${(warmProcess / 1000).toFixed(2)} s, ${(median(warm.map((s) => s.cpuMs)) / 1000).toFixed(2)} s CPU; runs ${warm.map((s) => (s.startMs / 1000).toFixed(2)).join(', ')} s)`,
  );
  checks.push([`start-up cold ≤ ${TARGETS.startupMs / 1000} s`, cold.startMs <= TARGETS.startupMs]);
  checks.push([`start-up warm ≤ ${TARGETS.startupMs / 1000} s`, warmStart <= TARGETS.startupMs]);

  // 2 and 3. Encoder and latency
  console.log(`encoding the ${PUSH_SECONDS} s 1080p30 pattern to push (not measured)…`);
  const pattern = encodePattern(ffmpeg, PUSH_SECONDS);
  await waitForQuietMachine('encoder');
  const loadBefore = load();
  const result = await streamBench(ffmpeg, pattern);
  rmSync(path.dirname(pattern), { recursive: true, force: true });
  if (result.pushExit !== 0) console.log(`  (the pusher exited with code ${result.pushExit})`);

  const last = result.encoder.at(-1);
  const duringPush = result.encoder.filter((l) => !l.exited && l.at <= result.pushEndedAt);
  const first = duringPush[0];
  const lastDuring = duringPush.at(-1);
  const steadySpeed =
    first &&
    lastDuring &&
    lastDuring.at > first.at &&
    first.time !== undefined &&
    lastDuring.time !== undefined
      ? (lastDuring.time - first.time) / ((lastDuring.at - first.at) / 1000)
      : Number.NaN;
  const speeds = duringPush.map((l) => l.speed ?? Number.NaN);
  const expectedFrames = Math.round(PUSH_SECONDS * (30_000 / 1001));
  // The run encodes the slate before and after the push: the push's share of the counters.
  const framesDuring = (lastDuring?.frame ?? 0) - (first?.frame ?? 0);
  const secondsDuring = (lastDuring?.time ?? 0) - (first?.time ?? 0);
  const dropDuring = (lastDuring?.drop ?? 0) - (first?.drop ?? 0);
  console.log(
    `encoder       speed=${last?.speed ?? '?'}x final (FFmpeg's, output time / wall time since the run began), ` +
      `per 10 s: ${speeds.map((s) => s.toFixed(2)).join(' ')}; steady ${steadySpeed.toFixed(3)}x (output seconds per wall second between progress lines)`,
  );
  console.log(
    `              whole run (slate included): frames ${last?.frame ?? '?'}, dup=${last?.dup ?? '?'} drop=${last?.drop ?? '?'}, ` +
      `cpu ${last?.cpu ?? '?'} cores at 1x, fps=${last?.fps ?? '?'}; the push is ~${expectedFrames} frames (${PUSH_SECONDS} s at 29.97 fps)`,
  );
  console.log(
    `              between the first and last progress lines of the push: ${framesDuring} frames for ${secondsDuring.toFixed(1)} s of output ` +
      `(${(framesDuring / Math.max(secondsDuring, 1e-9)).toFixed(2)} fps), ${dropDuring} dropped`,
  );
  console.log(`              load ${loadBefore} before, ${load()} after`);
  const speed = last?.speed ?? 0;
  checks.push([
    `real-time factor ≥ ${TARGETS.speed}`,
    speed >= TARGETS.speed || steadySpeed >= TARGETS.speed,
  ]);
  checks.push(['no dropped frames', last?.drop === TARGETS.dropFrames]);
  // Segment k's first frame is at the run's clock time m_k (the durations before it); the channel's
  // clock is the wall clock since the run began, so it went into the encoder at runAt + m_k, and a
  // frame of the push at that time was pushed then (the relay joins it on the channel's clock).
  const latencies: number[] = [];
  const afterPdt: number[] = [];
  const firstSeq = result.segments[0]?.seq ?? 0;
  if (firstSeq !== 0)
    console.log(`  (the watcher missed ${firstSeq} segment(s): their durations are taken as the first seen)`);
  let mediaStart = firstSeq * (result.segments[0]?.duration ?? SEGMENT_SECONDS);
  let slateSegments = firstSeq;
  for (const segment of result.segments) {
    const frameAt = result.runAt + mediaStart * 1000;
    if (frameAt < result.joinAt) slateSegments += 1;
    else {
      latencies.push((segment.listedAt - frameAt) / 1000);
      if (segment.programDateTime !== undefined)
        afterPdt.push((segment.listedAt - segment.programDateTime) / 1000);
    }
    mediaStart += segment.duration;
  }
  console.log(
    `slate         the run began ${((result.joinAt - result.runAt) / 1000).toFixed(2)} s before the push was joined ` +
      `(${((result.joinAt - result.pushOriginMs) / 1000).toFixed(2)} s after the push's first frame went out); ` +
      `${slateSegments} segment(s) began before the join`,
  );
  const worst = Math.max(...latencies);
  const segmentsWord = (s: number) => `${(s / SEGMENT_SECONDS).toFixed(2)} segment lengths`;
  console.log(
    `latency       first frame of a segment into the encoder (pushed) → segment listed in the 1080p playlist: ` +
      `median ${median(latencies).toFixed(2)} s (${segmentsWord(median(latencies))}), worst ${worst.toFixed(2)} s (${segmentsWord(worst)}) over ${latencies.length} segments`,
  );
  if (afterPdt.length > 0) {
    console.log(
      `              listed after its PROGRAM-DATE-TIME: median ${median(afterPdt).toFixed(2)} s; segment durations ${result.segments.map((s) => s.duration.toFixed(2)).join(' ')}`,
    );
  }
  checks.push([
    `latency ≤ ${TARGETS.latencySegments} segment lengths`,
    latencies.length > 0 && worst <= TARGETS.latencySegments * SEGMENT_SECONDS,
  ]);
  if (process.env.BENCH_VERBOSE) for (const line of result.encoderLog) console.log(`  ${line}`);
  healthFigures(result, checks);

  await simulcastPhase(ffmpeg, checks);
  report(checks);
}

/** 4. The same push with one simulcast destination (1080p) to an RTMP sink on loopback. */
async function simulcastPhase(ffmpeg: string, checks: Array<[string, boolean]>): Promise<void> {
  const pattern = encodePattern(ffmpeg, PUSH_SECONDS);
  const sink = await rtmpSink(ffmpeg);
  await waitForQuietMachine('simulcast');
  const loadBefore = load();
  try {
    const result = await streamBench(ffmpeg, pattern, sink.url);
    const last = result.encoder.at(-1);
    const duringPush = result.encoder.filter((l) => !l.exited && l.at <= result.pushEndedAt);
    const dropDuring = (duringPush.at(-1)?.drop ?? 0) - (duringPush[0]?.drop ?? 0);
    console.log(
      `simulcast     one 1080p destination to an RTMP sink on loopback: speed=${last?.speed ?? '?'}x final, ` +
        `frames ${last?.frame ?? '?'}, dup=${last?.dup ?? '?'} drop=${last?.drop ?? '?'} (${dropDuring} during the push), ` +
        `cpu ${last?.cpu ?? '?'} cores at 1x; the sink received ${sink.received()} frames; load ${loadBefore} before, ${load()} after`,
    );
    checks.push(['no dropped frames with simulcast', last?.drop === TARGETS.dropFrames]);
    checks.push(['the simulcast destination received the rendition', sink.received() > 0]);
  } finally {
    sink.stop();
    rmSync(path.dirname(pattern), { recursive: true, force: true });
  }
}

/** Health: the input loss shown after the push ended (its last frame), thumbnails' ages while pushed. */
function healthFigures(result: StreamResult, checks: Array<[string, boolean]>): void {
  const shownS = (result.lossShownAt - result.pushEndedAt) / 1000;
  const ages = result.thumbnailAges;
  console.log(
    `health        input loss shown ${shownS.toFixed(1)} s after the publisher left (health polled every 1 s); ` +
      `thumbnail age while pushed: median ${median(ages).toFixed(1)} s, worst ${Math.max(...ages).toFixed(1)} s over ${ages.length} reads`,
  );
  checks.push([
    `input loss in health within ${TARGETS.inputLossShownS} s`,
    shownS <= TARGETS.inputLossShownS,
  ]);
  checks.push([
    `thumbnail at most ${TARGETS.thumbnailAgeS} s old`,
    ages.length > 0 && Math.max(...ages) <= TARGETS.thumbnailAgeS,
  ]);
}

function report(checks: Array<[string, boolean]>): void {
  console.log(`load average  ${load()} at end`);
  for (const [name, ok] of checks) console.log(`${verdict(ok).padEnd(14)} ${name}`);
  const passed = checks.filter(([, ok]) => ok).length;
  console.log(`${passed} passed, ${checks.length - passed} failed`);
}

// The API handler logs every request at INFO: not what this output is for.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
if (process.argv.includes('--probe-startup')) {
  await probeStartup();
  process.exit(0);
} else {
  await main();
}
