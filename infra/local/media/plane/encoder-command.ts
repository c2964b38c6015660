/**
 * The FFmpeg command line of one encoder run: one input (the channel's input relay, an endless FLV
 * stream on file descriptor 3: the slate or the publisher, see input-relay.ts), every distinct
 * encode once, and a `tee` muxer fanning the encoded streams out to one HLS muxer per rendition and
 * one segment muxer per archive output. `tee` is what lets the archive reuse the ladder's 1080p
 * encode: without it FFmpeg encodes a stream again for every output file.
 *
 * Paths are relative to the run's working directory (`<dataDir>/media`) and made of characters
 * that need no escaping in the tee syntax.
 */
import type { EncoderPlan } from './encoder-plan.js';

export interface ArchiveTarget {
  /** Relative folder where FFmpeg writes this archive output's files. */
  dir: string;
  /** The 6-digit counter of the first file of this run. */
  startNumber: number;
}

export interface EncoderCommand {
  plan: EncoderPlan;
  /** x264 preset, `ultrafast` by default (see infra/local/ffmpeg.ts). */
  preset: string;
  /** Relative folder of the package channel's HLS files. */
  hlsDir: string;
  /** Unique per run, so a new run never overwrites the segments of the previous one. */
  runId: string;
  /** One per `plan.archives` entry. */
  archives: ArchiveTarget[];
}

/** The JPEG FFmpeg keeps replacing with the channel's newest thumbnail, relative to the media folder. */
export const thumbnailFile = (channelId: string): string => `thumbnails/${channelId}.jpg`;

/** The first of the pipes (file descriptors) the simulcast outputs are written to, one each. */
const FIRST_OUTPUT_FD = 4;

/** Rendition playlist FFmpeg maintains in each rendition folder (the origin builds its own). */
export const FFMPEG_PLAYLIST = 'live.m3u8';
/** The input relay's pipe: the child's file descriptor 3 (stdin stays free for `q`). */
const RELAY_FD = 3;
/** Segments FFmpeg keeps listed: enough that a poll every half second never misses one. */
const FFMPEG_LIST_SIZE = 20;
const SAFE_PATH = /^[A-Za-z0-9_./-]+$/;

/** The CSV list, in each archive output's folder, that gets a line when a file is closed. */
export const ARCHIVE_LIST_FILE = 'files.csv';

function checkPath(path: string): string {
  if (!SAFE_PATH.test(path.replace('%05d', '').replace('%06d', ''))) {
    throw new Error(`unsafe path for FFmpeg's tee muxer: ${path}`);
  }
  return path;
}

function kbps(bits: number): string {
  return `${Math.round(bits / 1000)}k`;
}

function videoFilters(plan: EncoderPlan): string {
  const branches = plan.videos.map((video, i) => {
    const chain = [
      ...(video.frameRate ? [`fps=${video.frameRate.numerator}/${video.frameRate.denominator}`] : []),
      // Bilinear scaling: the bicubic default costs CPU that 2 cores do not have at 1080p30.
      `scale=${video.width}:${video.height}:flags=bilinear`,
      'format=yuv420p',
    ].join(',');
    return `[src${i}]${chain}[v${i}]`;
  });
  const sources = plan.videos.map((_, i) => `[src${i}]`);
  if (plan.thumbnail) {
    sources.push('[thumbsrc]');
    // The frames are chosen first, so only one frame every few seconds is scaled.
    branches.push(
      `[thumbsrc]fps=1/${plan.thumbnail.everySeconds},scale=-2:${plan.thumbnail.height}:flags=bilinear,format=yuvj420p[thumb]`,
    );
  }
  const split = sources.length === 1 ? '[0:v]null[src0]' : `[0:v]split=${sources.length}${sources.join('')}`;
  return [split, ...branches].join(';');
}

function select(video: number, audio: number | undefined): string {
  return audio === undefined ? `\\'v:${video}\\'` : `\\'v:${video},a:${audio}\\'`;
}

export function encoderArgs(command: EncoderCommand): string[] {
  const { plan } = command;
  const args = ['-hide_banner', '-loglevel', 'warning', '-nostats', '-progress', 'pipe:1'];
  // The relay sends both sequence headers and a key frame first: a short analysis is enough.
  args.push('-f', 'flv', '-analyzeduration', '500000', '-i', `pipe:${RELAY_FD}`);
  args.push('-filter_complex', videoFilters(plan));
  plan.videos.forEach((_, i) => {
    args.push('-map', `[v${i}]`);
  });
  // The relay always carries audio (the publisher's, or the slate's silence).
  for (const _ of plan.audios) args.push('-map', '0:a:0');

  // No `-tune zerolatency`: it turns x264's frame threads into slice threads, which cost a fifth of
  // the throughput here (1.2x against 1.54x for the 1080p30 ladder on 2 cores), and a few frames
  // of encoder delay do not matter against segments of seconds.
  args.push('-c:v', 'libx264', '-preset', command.preset);
  // Key frames on the segment grid, never on scene cuts, so every HLS segment and archive file
  // starts with one and the renditions stay aligned.
  args.push('-sc_threshold', '0', '-force_key_frames', `expr:gte(t,n_forced*${plan.keyframeSeconds})`);
  plan.videos.forEach((video, i) => {
    args.push(`-b:v:${i}`, kbps(video.bitrate), `-maxrate:v:${i}`, kbps(video.maxBitrate));
    args.push(`-bufsize:v:${i}`, kbps(video.bufSize), `-g:v:${i}`, String(video.gopFrames));
    args.push(`-profile:v:${i}`, video.profile);
    if (video.level) args.push(`-level:v:${i}`, video.level);
    if (video.crf !== undefined) args.push(`-crf:v:${i}`, String(video.crf));
  });
  if (plan.audios.length > 0) args.push('-c:a', 'aac');
  plan.audios.forEach((audio, i) => {
    args.push(`-b:a:${i}`, kbps(audio.bitrate), `-ar:a:${i}`, String(audio.sampleRate));
    args.push(`-ac:a:${i}`, String(audio.channels));
  });

  const slaves = plan.renditions.map((rendition) => {
    const dir = checkPath(`${command.hlsDir}/${rendition.name}`);
    const options = [
      'f=hls',
      `select=${select(rendition.video, rendition.audio)}`,
      `hls_time=${plan.segmentSeconds}`,
      `hls_list_size=${FFMPEG_LIST_SIZE}`,
      // temp_file: a segment appears under its name only once complete, so the origin never
      // serves half a file; program_date_time: wall-clock start of each segment, for ?start=/end=.
      'hls_flags=program_date_time+independent_segments+temp_file',
      `hls_segment_filename=${checkPath(`${dir}/${command.runId}_%05d.ts`)}`,
    ];
    return `[${options.join(':')}]${dir}/${FFMPEG_PLAYLIST}`;
  });
  plan.archives.forEach((archive, i) => {
    const target = command.archives[i];
    if (!target) throw new Error(`no archive target for output ${archive.name}`);
    const options = [
      'f=segment',
      `select=${select(archive.video, archive.audio)}`,
      `segment_time=${plan.rolloverSeconds}`,
      'segment_format=mpegts',
      `segment_start_number=${target.startNumber}`,
      // The CSV list gets a line when a file is closed: the signal to upload it.
      `segment_list=${checkPath(`${target.dir}/${ARCHIVE_LIST_FILE}`)}`,
      'segment_list_type=csv',
    ];
    slaves.push(`[${options.join(':')}]${checkPath(`${target.dir}/%06d.ts`)}`);
  });
  // Simulcast: FLV on a pipe per destination (simulcast-pusher.ts pushes it); a pipe that fails
  // must not stop the channel's other outputs.
  plan.simulcast.forEach((output, i) => {
    slaves.push(
      `[f=flv:select=${select(output.video, output.audio)}:onfail=ignore]pipe\\:${FIRST_OUTPUT_FD + i}`,
    );
  });
  args.push('-f', 'tee', slaves.join('|'));
  if (plan.thumbnail) {
    // A second output file: its own encoder (JPEG), one file replaced atomically, so a reader
    // never gets half a picture.
    args.push('-map', '[thumb]', '-an', '-c:v', 'mjpeg', '-q:v', '5');
    args.push(
      ...'-f image2 -update 1 -atomic_writing 1'.split(' '),
      checkPath(thumbnailFile(plan.channelId)),
    );
  }
  return args;
}
