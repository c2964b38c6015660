/**
 * The Elemental MediaConvert job that exports a clip to MP4: exactly the clip's requested range, to
 * the frame, not to the archive file.
 *
 * The input is the clip's own HLS playlist (MediaConvert reads HLS inputs from S3), with
 * `TimecodeSource: ZEROBASED`: its first frame, the first frame of the first archive file
 * (`covered.start`), has timecode 00:00:00:00. One `InputClipping` then cuts the requested range by
 * timecode. Both its timecodes are frames *included* in the output (MediaConvert API reference,
 * InputClipping), so the range [start, end) becomes the first frame at or after `start` up to the
 * last frame before `end`.
 *
 * Timecodes count frames: HH:MM:SS:FF with FF in 0..(nominal rate − 1), non-drop-frame, so frame n
 * of a 29.97 fps input is `n` written in base 30. The local MediaConvert double
 * (infra/local/mediaconvert/) reads them back the same way.
 *
 * The output is the archive's quality: 1080p H.264 High 4.1, QVBR capped at the archive's 7 Mb/s,
 * the source's frame rate, AAC stereo at the archive's bitrate, in an MP4 whose index comes first
 * (plays while it downloads).
 */
import { type ClipExport, type ClipRecord, EXPORT_PREFIX } from './clip.js';
import { ARCHIVE_RENDITION, FRAME_RATE } from './encoder-profile.js';

export interface FrameRate {
  numerator: number;
  denominator: number;
}

/** A frame's time may land a hair off by floating point; a microsecond is far below a frame. */
const EPSILON_FRAMES = 1e-6;

/** Frames a timecode counts per second: 30 for 29.97 (non-drop-frame). */
export function nominalRate(rate: FrameRate): number {
  return Math.ceil(rate.numerator / rate.denominator - EPSILON_FRAMES);
}

/** `HH:MM:SS:FF` of frame `n` (0-based) at `rate`, non-drop-frame. */
export function frameTimecode(n: number, rate: FrameRate): string {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`frame must be a non-negative integer, not ${n}`);
  const base = nominalRate(rate);
  const ff = n % base;
  const totalSeconds = Math.floor(n / base);
  const ss = totalSeconds % 60;
  const mm = Math.floor(totalSeconds / 60) % 60;
  const hh = Math.floor(totalSeconds / 3600);
  // MediaConvert's pattern allows hours 00–24.
  if (hh > 24) throw new RangeError(`frame ${n} is past the 24 hours a timecode can name`);
  return [hh, mm, ss, ff].map((v) => String(v).padStart(2, '0')).join(':');
}

/** The frame index a `HH:MM:SS:FF` (or `;FF`) timecode names at `rate`. */
export function timecodeFrame(timecode: string, rate: FrameRate): number {
  const m = /^(\d{2}):(\d{2}):(\d{2})[:;](\d{2})$/.exec(timecode);
  if (!m) throw new RangeError(`not a timecode: ${timecode}`);
  const [hh, mm, ss, ff] = m.slice(1).map(Number) as [number, number, number, number];
  return ((hh * 60 + mm) * 60 + ss) * nominalRate(rate) + ff;
}

/**
 * The frames of [start, end) seconds, counted from the input's first frame: the first at or after
 * `start`, the last before `end` (inclusive).
 */
export function framesOf(start: number, end: number, rate: FrameRate): { first: number; last: number } {
  const fps = rate.numerator / rate.denominator;
  const first = Math.max(0, Math.ceil(start * fps - EPSILON_FRAMES));
  const last = Math.ceil(end * fps - EPSILON_FRAMES) - 1;
  if (last < first) throw new RangeError(`[${start}, ${end}) holds no frame at ${fps.toFixed(3)} fps`);
  return { first, last };
}

/**
 * The range an export cuts: the requested one, within what the playlist covers (a range whose
 * start or end lies where no archive file was written cannot be cut there).
 */
export function exportRange(clip: Pick<ClipRecord, 'requested' | 'covered'>): { start: number; end: number } {
  return {
    start: Math.max(clip.requested.start, clip.covered.start),
    end: Math.min(clip.requested.end, clip.covered.end),
  };
}

export interface ExportJobRequest {
  Role: string;
  Settings: Record<string, unknown>;
  UserMetadata: Record<string, string>;
}

/** The CreateJob request of one export (checked against MediaConvert's API model in the tests). */
export function exportJobRequest(input: {
  clip: Pick<ClipRecord, 'id' | 'stream_id' | 'requested' | 'covered' | 'playlist'>;
  item: Pick<ClipExport, 'id' | 'key'>;
  bucket: string;
  roleArn: string;
  rate?: FrameRate;
}): ExportJobRequest {
  const { clip, item, bucket } = input;
  const rate = input.rate ?? FRAME_RATE;
  if (!item.key.startsWith(`${EXPORT_PREFIX}/`) || !item.key.endsWith('.mp4'))
    throw new RangeError(`export key ${item.key} is not under ${EXPORT_PREFIX}/ or not an .mp4`);
  const range = exportRange(clip);
  const { first, last } = framesOf(range.start - clip.covered.start, range.end - clip.covered.start, rate);
  return {
    Role: input.roleArn,
    UserMetadata: { stream_id: clip.stream_id, clip_id: clip.id, export_id: item.id },
    Settings: {
      TimecodeConfig: { Source: 'ZEROBASED' },
      Inputs: [
        {
          FileInput: `s3://${bucket}/${clip.playlist.key}`,
          TimecodeSource: 'ZEROBASED',
          InputClippings: [
            { StartTimecode: frameTimecode(first, rate), EndTimecode: frameTimecode(last, rate) },
          ],
          VideoSelector: {},
          AudioSelectors: { 'Audio Selector 1': { DefaultSelection: 'DEFAULT' } },
        },
      ],
      OutputGroups: [
        {
          Name: 'File Group',
          OutputGroupSettings: {
            Type: 'FILE_GROUP_SETTINGS',
            // MediaConvert appends the output's extension to the destination's file name.
            FileGroupSettings: { Destination: `s3://${bucket}/${item.key.slice(0, -'.mp4'.length)}` },
          },
          Outputs: [
            {
              Extension: 'mp4',
              ContainerSettings: { Container: 'MP4', Mp4Settings: { MoovPlacement: 'PROGRESSIVE_DOWNLOAD' } },
              VideoDescription: {
                Width: ARCHIVE_RENDITION.width,
                Height: ARCHIVE_RENDITION.height,
                CodecSettings: {
                  Codec: 'H_264',
                  H264Settings: {
                    CodecProfile: ARCHIVE_RENDITION.profile,
                    CodecLevel: 'LEVEL_4_1',
                    RateControlMode: 'QVBR',
                    MaxBitrate: ARCHIVE_RENDITION.maxBitrate,
                    QvbrSettings: { QvbrQualityLevel: 8 },
                    FramerateControl: 'SPECIFIED',
                    FramerateNumerator: rate.numerator,
                    FramerateDenominator: rate.denominator,
                    SceneChangeDetect: 'TRANSITION_DETECTION',
                  },
                },
              },
              AudioDescriptions: [
                {
                  AudioSourceName: 'Audio Selector 1',
                  CodecSettings: {
                    Codec: 'AAC',
                    AacSettings: {
                      Bitrate: ARCHIVE_RENDITION.audioBitrate,
                      CodingMode: 'CODING_MODE_2_0',
                      SampleRate: 48_000,
                    },
                  },
                },
              ],
            },
          ],
        },
      ],
    },
  };
}
