/**
 * A small local Elemental MediaConvert for the ExportClip workflow: the local Step Functions runs
 * `arn:<partition>:states:::mediaconvert:createJob.sync` through it. It reads the job settings the app
 * generates (core/export-job.ts): one HLS input from S3 clipped by timecode, one MP4 output of
 * H.264/AAC to an S3 destination, and does the job with FFmpeg over the playlist's segments joined
 * (MPEG-TS files concatenate). The clipping is decode-accurate: frames are kept by their index
 * (`trim=start_frame:end_frame`), frame 0 being the input's first (`TimecodeSource: ZEROBASED`),
 * both clipping timecodes included, as MediaConvert defines them; the audio is cut at the same instants.
 *
 * It answers as `createJob.sync` does once the job has finished: GetJob's `{ Job }`, `Status`
 * COMPLETE with `OutputGroupDetails`, or fails the task (`States.TaskFailed`, the job as cause)
 * when the job ends in ERROR. Settings it does not support are refused before anything runs, with
 * MediaConvert's `BadRequestException`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { timecodeFrame } from '../../../core/export-job.js';
import { localArn } from '../aws-server/arn.js';

const run = promisify(execFile);

/** What `createJob.sync` answers for the job (GetJob's `Job`): the members the app reads. */
export interface LocalJob {
  Id: string;
  Arn: string;
  Status: 'COMPLETE' | 'ERROR';
  ErrorMessage?: string;
  OutputGroupDetails?: Array<{ OutputDetails: Array<{ DurationInMs: number }> }>;
}

/** A job as the IAM conformance test needs it: the role MediaConvert used and what it read and wrote. */
export interface LocalJobRecord {
  jobId: string;
  role: string;
  reads: Array<{ bucket: string; key: string }>;
  writes: Array<{ bucket: string; key: string }>;
}

export interface LocalMediaConvertOptions {
  s3: S3Client;
  ffmpeg: string;
  ffprobe?: string | undefined;
  region: string;
  account: string;
  /** Every job that ran (the tests record them for the IAM conformance test). */
  onJob?: (job: LocalJobRecord) => void;
  log?: (line: string) => void;
}

/** The local double's refusal of a job it cannot run, named as MediaConvert's own error. */
export class BadRequestException extends Error {
  override readonly name = 'MediaConvert.BadRequestException';
}

type Json = Record<string, unknown>;
function need(ok: unknown, message: string): asserts ok {
  if (!ok) throw new BadRequestException(message);
}
const obj = (value: unknown, what: string): Json => {
  need(value && typeof value === 'object' && !Array.isArray(value), `${what} must be an object`);
  return value as Json;
};
const one = (value: unknown, what: string): Json => {
  need(Array.isArray(value) && value.length === 1, `the local MediaConvert runs exactly one ${what}`);
  return obj(value[0], what);
};
const s3Url = (value: unknown, what: string): { bucket: string; key: string } => {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(String(value)) ?? [];
  need(typeof value === 'string' && bucket && key, `${what} must be an s3://bucket/key URL`);
  return { bucket, key };
};
const positive = (value: unknown, what: string): number => {
  need(Number.isInteger(value) && (value as number) > 0, `${what} must be a positive integer`);
  return value as number;
};

/** Reads the CreateJob request into what FFmpeg does; refuses what it does not support. */
export function planLocalJob(parameters: unknown) {
  const request = obj(parameters, 'the CreateJob request');
  need(typeof request.Role === 'string' && request.Role.startsWith('arn:'), 'Role must be an IAM role ARN');
  const settings = obj(request.Settings, 'Settings');
  const input = one(settings.Inputs, 'input');
  const source = s3Url(input.FileInput, 'FileInput');
  need(source.key.endsWith('.m3u8'), 'the local MediaConvert reads HLS inputs');
  need(
    input.TimecodeSource === 'ZEROBASED',
    'the local MediaConvert counts input timecodes from zero (ZEROBASED)',
  );
  const clipping = one(input.InputClippings, 'input clipping');
  const group = one(settings.OutputGroups, 'output group');
  const groupSettings = obj(group.OutputGroupSettings, 'OutputGroupSettings');
  need(groupSettings.Type === 'FILE_GROUP_SETTINGS', 'the local MediaConvert writes file groups');
  const fileGroup = obj(groupSettings.FileGroupSettings, 'FileGroupSettings');
  const destination = s3Url(fileGroup.Destination, 'Destination');
  const output = one(group.Outputs, 'output');
  const container = obj(output.ContainerSettings, 'ContainerSettings');
  need(container.Container === 'MP4', 'the local MediaConvert writes MP4');
  const video = obj(output.VideoDescription, 'VideoDescription');
  const codec = obj(video.CodecSettings, 'CodecSettings');
  need(codec.Codec === 'H_264', 'the local MediaConvert encodes H_264');
  const h264 = obj(codec.H264Settings, 'H264Settings');
  const rate = {
    numerator: positive(h264.FramerateNumerator, 'FramerateNumerator'),
    denominator: positive(h264.FramerateDenominator, 'FramerateDenominator'),
  };
  const audio = one(output.AudioDescriptions, 'audio description');
  const audioCodec = obj(audio.CodecSettings, 'audio CodecSettings');
  need(audioCodec.Codec === 'AAC', 'the local MediaConvert encodes AAC');
  const aac = obj(audioCodec.AacSettings, 'AacSettings');
  const frame = (timecode: unknown) => {
    try {
      return timecodeFrame(String(timecode), rate);
    } catch (error) {
      throw new BadRequestException(`input clipping: ${(error as Error).message}`);
    }
  };
  const [firstFrame, lastFrame] = [frame(clipping.StartTimecode), frame(clipping.EndTimecode)];
  need(lastFrame >= firstFrame, 'EndTimecode is before StartTimecode');
  const extension = typeof output.Extension === 'string' ? output.Extension : 'mp4';
  return {
    role: request.Role,
    input: source,
    // Frames kept, both included, counted from the input's first frame.
    firstFrame,
    lastFrame,
    rate,
    output: {
      bucket: destination.bucket,
      key: `${destination.key}.${extension}`,
      width: positive(video.Width, 'Width'),
      height: positive(video.Height, 'Height'),
      maxBitrate: positive(h264.MaxBitrate, 'MaxBitrate'),
    },
    audio: {
      bitrate: positive(aac.Bitrate, 'AAC Bitrate'),
      sampleRate: positive(aac.SampleRate, 'AAC SampleRate'),
      channels: aac.CodingMode === 'CODING_MODE_1_0' ? 1 : 2,
    },
  };
}

/** The segment URIs of a media playlist, relative to its key, resolved to keys. */
export function playlistSegments(playlist: string, playlistKey: string): string[] {
  const dir = playlistKey.includes('/') ? playlistKey.slice(0, playlistKey.lastIndexOf('/') + 1) : '';
  return playlist
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((uri) => path.posix.normalize(`${dir}${uri}`));
}

type LocalJobPlan = ReturnType<typeof planLocalJob>;

/** FFmpeg's arguments for a plan: frames by index, audio at the same instants, MP4 index first. */
function ffmpegArgs(plan: LocalJobPlan, inputFile: string, outputFile: string): string[] {
  const { firstFrame, lastFrame, rate, output, audio } = plan;
  const fps = rate.numerator / rate.denominator;
  const [start, end] = [firstFrame / fps, (lastFrame + 1) / fps].map((s) => s.toFixed(6));
  const filters = [
    `[0:v:0]trim=start_frame=${firstFrame}:end_frame=${lastFrame + 1},setpts=PTS-STARTPTS,` +
      `scale=${output.width}:${output.height},fps=${rate.numerator}/${rate.denominator}[v]`,
    `[0:a:0]atrim=start=${start}:end=${end},asetpts=PTS-STARTPTS[a]`,
  ];
  return [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-i', inputFile, '-filter_complex', filters.join(';')],
    ...'-map [v] -map [a] -c:v libx264 -preset superfast -profile:v high -level:v 4.1'.split(' '),
    ...`-pix_fmt yuv420p -crf 20 -maxrate ${output.maxBitrate} -bufsize ${output.maxBitrate * 2}`.split(' '),
    ...`-c:a aac -b:a ${audio.bitrate} -ar ${audio.sampleRate} -ac ${audio.channels}`.split(' '),
    ...['-movflags', '+faststart', outputFile],
  ];
}

export class LocalMediaConvert {
  constructor(private readonly options: LocalMediaConvertOptions) {}

  /** `createJob.sync`: runs the job to its end; `{ Job }` when COMPLETE, else the task fails. */
  async createJobSync(parameters: unknown): Promise<{ Job: LocalJob }> {
    const plan = planLocalJob(parameters);
    const { s3, region, account, log } = this.options;
    const id = `${Date.now()}-${randomBytes(3).toString('hex')}`;
    const job: LocalJob = {
      Id: id,
      Arn: localArn('mediaconvert', region, account, `jobs/${id}`),
      Status: 'COMPLETE',
    };
    const reads: LocalJobRecord['reads'] = [];
    const writes: LocalJobRecord['writes'] = [];
    const get = async (key: string) => {
      const out = await s3.send(new GetObjectCommand({ Bucket: plan.input.bucket, Key: key }));
      reads.push({ bucket: plan.input.bucket, key });
      return out.Body as Readable & { transformToString(): Promise<string> };
    };
    const dir = await mkdtemp(path.join(tmpdir(), 'local-mediaconvert-'));
    try {
      const playlist = await (await get(plan.input.key)).transformToString();
      const segments = playlistSegments(playlist, plan.input.key);
      if (segments.length === 0) throw new Error(`${plan.input.key} lists no segment`);
      const joined = path.join(dir, 'input.ts');
      const out = createWriteStream(joined);
      for (const key of segments) await pipeline(await get(key), out, { end: false });
      out.end();
      await finished(out);
      const mp4 = path.join(dir, 'output.mp4');
      await run(this.options.ffmpeg, ffmpegArgs(plan, joined, mp4), { maxBuffer: 16 * 1024 * 1024 });
      const durationMs = await this.durationMs(mp4, plan);
      const { bucket, key } = plan.output;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: await readFile(mp4),
          ContentType: 'video/mp4',
        }),
      );
      writes.push({ bucket, key });
      job.OutputGroupDetails = [{ OutputDetails: [{ DurationInMs: durationMs }] }];
      log?.(`job ${id} COMPLETE: s3://${bucket}/${key} (${durationMs} ms)`);
      return { Job: job };
    } catch (error) {
      job.Status = 'ERROR';
      job.ErrorMessage = error instanceof Error ? error.message : String(error);
      log?.(`job ${id} ERROR: ${job.ErrorMessage}`);
      // What Step Functions reports for a .sync job that ended in ERROR: the job as the cause.
      throw Object.assign(new Error(JSON.stringify({ Job: job })), { name: 'States.TaskFailed' });
    } finally {
      this.options.onJob?.({ jobId: id, role: plan.role, reads, writes });
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The output's duration by ffprobe, else from the frames asked for. */
  private async durationMs(file: string, plan: LocalJobPlan): Promise<number> {
    const frames = plan.lastFrame - plan.firstFrame + 1;
    const fallback = Math.round((frames * 1000 * plan.rate.denominator) / plan.rate.numerator);
    if (!this.options.ffprobe) return fallback;
    const args = '-v error -select_streams v:0 -show_entries stream=duration -of csv=p=0'.split(' ');
    const { stdout } = await run(this.options.ffprobe, [...args, file]);
    const seconds = Number(stdout.trim());
    return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : fallback;
  }
}
