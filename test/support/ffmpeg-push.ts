/** A test pattern pushed with FFmpeg, as OBS would push it (RTMP, or SRT in MPEG-TS). */
import { type ChildProcess, spawn } from 'node:child_process';
import { findFfmpeg } from '../../infra/local/ffmpeg.js';

export const { ffmpeg, ffprobe } = findFfmpeg();

export interface PushOptions {
  seconds: number;
  size?: string;
  /** @default true */
  audio?: boolean;
}

/** Pushes `url` (rtmp:// as FLV, srt:// as MPEG-TS) in real time; resolves its exit code on `done`. */
export function push(url: string, { seconds, size = '1280x720', audio = true }: PushOptions) {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=30`,
  ];
  if (audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency');
  args.push('-g', '60', '-b:v', '3000k');
  if (audio) args.push('-c:a', 'aac', '-b:a', '128k');
  args.push('-f', url.startsWith('srt:') ? 'mpegts' : 'flv', url);
  const child: ChildProcess = spawn(ffmpeg, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const done = new Promise<{ code: number | null; errors: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, errors })),
  );
  return { child, done };
}

/** Polls `probe` until it returns a value, or throws with the last value after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
