/**
 * Video whose frames carry their own index, for frame-accuracy tests: frame n is drawn as BITS
 * vertical bars, bar i white when bit i of n is set, black otherwise (FFmpeg's `geq`). Bars a
 * twelfth of the picture wide survive scaling and lossy encoding; the index is read back by
 * decoding a frame to grey pixels and thresholding the middle of each bar.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BITS = 12;
/** 29.97 fps, the archive's rate: no frame is dropped or repeated between source and archive. */
export const RATE = '30000/1001';
export const FPS = 30_000 / 1001;

/** The `geq` filter drawing each frame's index (`N`, from 0) as BITS bars. */
export function frameIndexFilter(): string {
  const bit = `mod(floor(N/pow(2,floor(X*${BITS}/W))),2)`;
  return `geq=lum='if(${bit},235,16)':cb=128:cr=128`;
}

/** FFmpeg input arguments of an indexed source at `size` (e.g. 640x360), at RATE, with a tone. */
export function indexedSourceArgs(size: string): string[] {
  return [
    '-f',
    'lavfi',
    '-i',
    `color=c=black:s=${size}:r=${RATE},format=yuv420p,${frameIndexFilter()}`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
  ];
}

/** Reads the index drawn in a decoded grey frame of `width` × `height` (one byte a pixel). */
export function readIndex(grey: Buffer, width: number, height: number): number {
  const row = Math.floor(height / 2) * width;
  let n = 0;
  for (let i = 0; i < BITS; i++) {
    const x = Math.floor(((i + 0.5) * width) / BITS);
    if ((grey[row + x] ?? 0) > 128) n += 2 ** i;
  }
  return n;
}

/** The indexes of every frame of a video file, in order (decoded at 192×108 grey). */
export async function frameIndexes(ffmpeg: string, file: string): Promise<number[]> {
  const width = 192;
  const height = 108;
  const { stdout } = await run(
    ffmpeg,
    [
      '-v',
      'error',
      '-i',
      file,
      '-map',
      '0:v:0',
      '-vf',
      `scale=${width}:${height}:flags=area,format=gray`,
      '-vsync',
      'passthrough',
      '-f',
      'rawvideo',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  const size = width * height;
  const out: number[] = [];
  for (let offset = 0; offset + size <= stdout.length; offset += size) {
    out.push(readIndex(stdout.subarray(offset, offset + size), width, height));
  }
  return out;
}
