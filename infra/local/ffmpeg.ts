/**
 * Locating the FFmpeg binaries the local media service runs, and the x264 speed preset.
 *
 * Order: `FFMPEG_PATH` (an explicit choice wins), then `ffmpeg` on PATH (Debian's build has libx264
 * and AAC), then the optional npm package `@ffmpeg-installer/ffmpeg` (a static build, no ffprobe).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** No FFmpeg binary that runs was found; the message lists what was tried and how to fix it. */
export class FfmpegNotFound extends Error {
  constructor(readonly tried: string[]) {
    super(
      `no runnable ffmpeg found (tried ${tried.join(', ')}): install it (apt-get install ffmpeg), ` +
        'set FFMPEG_PATH to a binary, or install the optional npm package @ffmpeg-installer/ffmpeg',
    );
    this.name = 'FfmpegNotFound';
  }
}

export interface FfmpegBinaries {
  ffmpeg: string;
  /** Absent when only the npm static build is available (it ships no ffprobe). */
  ffprobe?: string;
}

/** Runs `<bin> -version`: a path that exists but cannot execute (wrong arch, no +x) does not count. */
function runs(bin: string, env: NodeJS.ProcessEnv): boolean {
  // With `env`, a bare name is looked up on env.PATH.
  const result = spawnSync(bin, ['-version'], { stdio: 'ignore', timeout: 10_000, env });
  return result.error === undefined && result.status === 0;
}

function npmStaticBuild(fallbackPackage: string): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const installed = require(fallbackPackage) as { path?: unknown };
    return typeof installed.path === 'string' ? installed.path : undefined;
  } catch {
    // The package is an optional dependency: it may be absent or unsupported on this platform.
    return undefined;
  }
}

/** ffprobe next to the chosen ffmpeg first, so both come from the same build. */
function findFfprobe(ffmpeg: string, env: NodeJS.ProcessEnv): string | undefined {
  const candidates: string[] = [];
  if (env.FFPROBE_PATH) candidates.push(env.FFPROBE_PATH);
  if (ffmpeg.includes(path.sep)) {
    const sibling = path.join(path.dirname(ffmpeg), 'ffprobe');
    if (existsSync(sibling)) candidates.push(sibling);
  }
  candidates.push('ffprobe');
  return candidates.find((candidate) => runs(candidate, env));
}

/**
 * @param fallbackPackage the npm package shipping a static build (a parameter so tests can take
 *   it away).
 */
export function findFfmpeg(
  env: NodeJS.ProcessEnv = process.env,
  fallbackPackage = '@ffmpeg-installer/ffmpeg',
): FfmpegBinaries {
  const tried: string[] = [];
  const candidates: Array<string | undefined> = [env.FFMPEG_PATH, 'ffmpeg'];
  for (const candidate of candidates) {
    if (!candidate) continue;
    tried.push(candidate === env.FFMPEG_PATH ? `FFMPEG_PATH=${candidate}` : `${candidate} on PATH`);
    if (runs(candidate, env)) {
      const ffprobe = findFfprobe(candidate, env);
      return ffprobe ? { ffmpeg: candidate, ffprobe } : { ffmpeg: candidate };
    }
  }
  const npmBuild = npmStaticBuild(fallbackPackage);
  tried.push(fallbackPackage);
  if (npmBuild && runs(npmBuild, env)) {
    const ffprobe = findFfprobe(npmBuild, env);
    return ffprobe ? { ffmpeg: npmBuild, ffprobe } : { ffmpeg: npmBuild };
  }
  throw new FfmpegNotFound(tried);
}

/**
 * The x264 preset for the local encoder. `ultrafast` by default: on 2 cores the 4-rung ladder plus
 * the archive from a 1080p30 input keeps real time with it, not with `veryfast` (0.72x, measured on
 * a 2-core machine).
 */
export function x264Preset(env: NodeJS.ProcessEnv = process.env): string {
  return env.X264_PRESET?.trim() || 'ultrafast';
}
