/**
 * The input-loss slate a local channel encodes while no publisher feeds it: a solid colour (black
 * unless the channel's InputLossBehavior says otherwise) with silence, as MediaLive encodes its
 * input-loss image from the moment a channel runs until input arrives and whenever it goes away.
 *
 * It is encoded once per size, rate and colour (a fraction of a second of FFmpeg), as one group of
 * pictures in FLV tags that the input relay (input-relay.ts) loops with its own timestamps: a key
 * frame, then P-frames of the unchanging picture, which cost the relay nothing and the encoder
 * little to decode.
 */
import { spawn } from 'node:child_process';
import Flv from 'node-media-server/src/protocol/flv.js';

export interface SlateSpec {
  width: number;
  height: number;
  frameRate: { numerator: number; denominator: number };
  /** `RRGGBB`. */
  color: string;
}

/** One FLV tag body (what follows the 11-byte tag header): what the relay writes, re-timed. */
export interface Slate {
  spec: SlateSpec;
  /** AVC sequence header (AVCDecoderConfigurationRecord) and AAC sequence header tags. */
  videoHeader: Buffer;
  audioHeader: Buffer;
  /** One GOP: a key frame first, no B-frames (so every frame's composition offset is 0). */
  videoFrames: Buffer[];
  /** One silent AAC frame: 1024 samples at `sampleRate`. */
  silence: Buffer;
  sampleRate: number;
}

/** The silence's sample rate and layout: MediaLive's default AAC (48 kHz stereo). */
const SAMPLE_RATE = 48_000;
const GOP_SECONDS = 1;
/** FFmpeg's aac encoder needs a few frames of priming before its output for silence is steady. */
const SILENT_FRAME_INDEX = 8;

const cache = new Map<string, Promise<Slate>>();

/** The slate for `spec`, encoded on first use and kept for the life of the process. */
export function slateFor(ffmpeg: string, spec: SlateSpec): Promise<Slate> {
  const key = JSON.stringify(spec);
  let slate = cache.get(key);
  if (!slate) {
    slate = encodeSlate(ffmpeg, spec);
    cache.set(key, slate);
    // A failed encode is not kept: the next channel start tries again.
    slate.catch(() => cache.delete(key));
  }
  return slate;
}

async function encodeSlate(ffmpeg: string, spec: SlateSpec): Promise<Slate> {
  const rate = `${spec.frameRate.numerator}/${spec.frameRate.denominator}`;
  const gop = String(
    Math.max(1, Math.round((GOP_SECONDS * spec.frameRate.numerator) / spec.frameRate.denominator)),
  );
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...['-f', 'lavfi', '-i', `color=c=0x${spec.color}:s=${spec.width}x${spec.height}:r=${rate}`],
    ...['-f', 'lavfi', '-i', `anullsrc=r=${SAMPLE_RATE}:cl=stereo`],
    ...['-frames:v', gop, '-t', String(GOP_SECONDS + 0.5)],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '0', '-g', gop, '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-b:a', '128k', '-f', 'flv', 'pipe:1'],
  ];
  const tags: Array<{ flags: number; data: Buffer }> = [];
  const parser = new Flv();
  // The parser reuses its buffer: copy each tag out.
  parser.onPacketCallback = (packet) =>
    tags.push({ flags: packet.flags, data: Buffer.from(packet.data.subarray(0, packet.size)) });
  const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  let parseError: string | null = null;
  child.stdout.on('data', (chunk: Buffer) => {
    parseError ??= parser.parserData(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0 || parseError) {
    throw new Error(`could not encode the input-loss slate: ${parseError ?? errors.trim().slice(0, 300)}`);
  }
  // The FLV parser's flags: 0 AAC sequence header, 1 audio frame, 2 AVC sequence header, 3 key
  // frame, 4 other video tag (frames, and the end of sequence: AVCPacketType 2, not kept).
  const bodies = (...flags: number[]) => tags.filter((tag) => flags.includes(tag.flags));
  const [videoHeader] = bodies(2);
  const [audioHeader] = bodies(0);
  const videoFrames = bodies(3, 4).filter((tag) => tag.data[1] === 1);
  const audioFrames = bodies(1);
  const silence = audioFrames[Math.min(SILENT_FRAME_INDEX, audioFrames.length - 1)];
  if (!videoHeader || !audioHeader || !silence || videoFrames[0]?.flags !== 3) {
    throw new Error('could not encode the input-loss slate: FFmpeg wrote no key frame or no audio');
  }
  return {
    spec,
    videoHeader: videoHeader.data,
    audioHeader: audioHeader.data,
    videoFrames: videoFrames.map((tag) => tag.data),
    silence: silence.data,
    sampleRate: SAMPLE_RATE,
  };
}
