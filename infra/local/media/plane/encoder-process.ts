/**
 * One FFmpeg encoder process: its progress (FFmpeg's `speed=`, logged periodically so a slow
 * machine shows up in the logs), its warnings, and a graceful stop that lets it close every file.
 */
import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

export interface EncoderProgress {
  frame?: number;
  fps?: number;
  /** FFmpeg's `speed=` as a number (1.0 = real time). */
  speed?: number;
  /** Seconds of output written. */
  outTime?: number;
  /** CPU seconds FFmpeg has used, all threads (Linux only). */
  cpuSeconds?: number;
  /** FFmpeg's `dup_frames=`/`drop_frames=`: frames duplicated or dropped to keep the output rate. */
  dupFrames?: number;
  dropFrames?: number;
}

export interface EncoderExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines FFmpeg wrote to stderr, for the log when it failed. */
  lastErrors: string[];
}

/** `-progress` keys and where they go (FFmpeg's `out_time_ms` is in microseconds too). */
const PROGRESS_KEYS = new Map<string, keyof EncoderProgress>([
  ['frame', 'frame'],
  ['fps', 'fps'],
  ['speed', 'speed'],
  ['out_time_us', 'outTime'],
  ['out_time_ms', 'outTime'],
  ['dup_frames', 'dupFrames'],
  ['drop_frames', 'dropFrames'],
]);

/** Parses one `-progress` block (key=value lines); values FFmpeg reports as N/A are left out. */
export function parseProgress(block: string): EncoderProgress {
  const progress: EncoderProgress = {};
  for (const line of block.split('\n')) {
    const at = line.indexOf('=');
    const field = PROGRESS_KEYS.get(line.slice(0, at).trim());
    const value = Number.parseFloat(line.slice(at + 1));
    if (at <= 0 || !field || !Number.isFinite(value)) continue;
    progress[field] = field === 'outTime' ? value / 1_000_000 : value;
  }
  return progress;
}

export function formatProgress(progress: EncoderProgress): string {
  const parts = [`speed=${progress.speed === undefined ? 'N/A' : `${progress.speed.toFixed(2)}x`}`];
  if (progress.fps !== undefined) parts.push(`fps=${progress.fps.toFixed(1)}`);
  if (progress.frame !== undefined) parts.push(`frame=${progress.frame}`);
  if (progress.outTime !== undefined) parts.push(`time=${progress.outTime.toFixed(1)}s`);
  // A live encoder that falls behind drops frames: the benchmark and the logs must show it.
  if (progress.dupFrames !== undefined) parts.push(`dup=${progress.dupFrames}`);
  if (progress.dropFrames !== undefined) parts.push(`drop=${progress.dropFrames}`);
  // CPU per second of video: the cores real time needs, whatever else the machine is doing
  // (speed= drops on a busy machine; this does not).
  if (progress.cpuSeconds !== undefined && progress.outTime !== undefined && progress.outTime >= 1) {
    parts.push(`cpu=${(progress.cpuSeconds / progress.outTime).toFixed(2)} cores at 1x`);
  }
  return parts.join(' ');
}

/** Linux's USER_HZ: the unit of utime/stime in /proc/<pid>/stat, 100 on every mainstream kernel. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) of a running process, from /proc; undefined elsewhere. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime + stime) ? (utime + stime) / CLOCK_TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

export interface EncoderProcessOptions {
  ffmpeg: string;
  args: string[];
  cwd: string;
  /** Prefix of every log line, e.g. `encoder 1234567`. */
  label: string;
  logger: (line: string) => void;
  /** How often a progress line is logged. */
  progressLogMs?: number;
  /** Extra pipes FFmpeg writes to (file descriptors 4, 5...), read through `outputs`. */
  outputPipes?: number;
  /** When a stop that `q` did not end interrupts FFmpeg (tests shorten it). */
  sigintAfterMs?: number;
}

/** The media pipe FFmpeg reads as `pipe:3`, beside stdin (kept for `q`). */
const MEDIA_FD = 3;

const KEPT_ERROR_LINES = 20;
/** FFmpeg can be chatty (timestamps warnings on a bad input); past this, lines are only kept. */
const MAX_LOGGED_LINES = 50;
/** `q` lets FFmpeg finish cleanly; it is read between packets, so a stalled input needs SIGINT. */
const SIGINT_AFTER_MS = 3_000;
const SIGKILL_AFTER_MS = 15_000;

export class EncoderProcess {
  readonly exited: Promise<EncoderExit>;
  readonly startedAt = Date.now();
  progress: EncoderProgress = {};
  /** What FFmpeg reads as `pipe:3`. */
  readonly media: Writable;
  /** What FFmpeg writes as `pipe:4`, `pipe:5`... (`outputPipes`). */
  readonly outputs: Readable[];
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #errors: string[] = [];
  #stopping: Promise<EncoderExit> | undefined;
  readonly #sigintAfterMs: number;

  constructor(options: EncoderProcessOptions) {
    const { logger, label } = options;
    this.#sigintAfterMs = options.sigintAfterMs ?? SIGINT_AFTER_MS;
    this.#child = spawn(options.ffmpeg, options.args, {
      cwd: options.cwd,
      // stdin, stdout, stderr, the media pipe, then the output pipes.
      stdio: Array.from({ length: MEDIA_FD + 1 + (options.outputPipes ?? 0) }, () => 'pipe' as const),
    }) as ChildProcessByStdio<Writable, Readable, Readable>;
    this.media = this.#child.stdio[MEDIA_FD] as Writable;
    this.outputs = Array.from(
      { length: options.outputPipes ?? 0 },
      (_, i) => this.#child.stdio[MEDIA_FD + 1 + i] as Readable,
    );
    // A write after FFmpeg has gone (EPIPE) must not crash the service; its exit is reported.
    this.media.on('error', () => {});
    let lastLog = 0;
    let pending = '';
    let block = '';
    this.#child.stdout.setEncoding('utf8');
    this.#child.stdout.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // A block of key=value lines ends with its `progress=` line.
        block += `${line}\n`;
        if (!line.startsWith('progress=')) continue;
        const cpuSeconds = this.#child.pid === undefined ? undefined : processCpuSeconds(this.#child.pid);
        this.progress = {
          ...this.progress,
          ...parseProgress(block),
          ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
        };
        block = '';
        if (Date.now() - lastLog >= (options.progressLogMs ?? 10_000)) {
          lastLog = Date.now();
          logger(`${label}: ${formatProgress(this.progress)}`);
        }
      }
    });
    let logged = 0;
    let partial = '';
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim() !== '')) {
        this.#errors.push(line);
        if (this.#errors.length > KEPT_ERROR_LINES) this.#errors.shift();
        if (logged < MAX_LOGGED_LINES) logger(`${label}: ffmpeg: ${line}`);
        logged += 1;
      }
    });
    // A closed stdin (FFmpeg already gone) must not crash the service.
    this.#child.stdin.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.#child.on('error', (error) => {
        this.#errors.push(error.message);
        resolve({ code: null, signal: null, lastErrors: [...this.#errors] });
      });
      this.#child.on('close', (code, signal) => {
        logger(`${label}: exited (${signal ?? `code ${code}`}), last ${formatProgress(this.progress)}`);
        resolve({ code, signal, lastErrors: [...this.#errors] });
      });
    });
  }

  /** Asks FFmpeg to finish (closing every segment and playlist), forcing it after a bound. */
  stop(): Promise<EncoderExit> {
    if (this.#stopping) return this.#stopping;
    const child = this.#child;
    if (child.exitCode === null && child.signalCode === null) child.stdin.end('q');
    const interrupt = setTimeout(() => child.kill('SIGINT'), this.#sigintAfterMs);
    const kill = setTimeout(() => child.kill('SIGKILL'), SIGKILL_AFTER_MS);
    this.#stopping = this.exited.finally(() => {
      clearTimeout(interrupt);
      clearTimeout(kill);
    });
    return this.#stopping;
  }
}

/** Asks a running child to end (`ask`), kills it if it has not after 3 s; resolves once it has closed. */
export async function endChild(child: ChildProcess, ask: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  ask();
  const kill = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await closed;
  clearTimeout(kill);
}
