/**
 * What the local encoder does for one channel, read from the channel's own EncoderSettings: the
 * distinct video and audio encodes, the HLS renditions sent to MediaPackage, the archive outputs
 * and the simulcast (RTMP) outputs.
 *
 * Encodes are shared: two outputs with the same video or audio parameters use one encode, and an
 * archive output reuses the ladder's encode of the same resolution (the seed's archive is a second
 * 1080p encode at QVBR 7 Mb/s; encoding 1080p twice does not keep real time on 2 cores).
 */
import type { OutputGroup, VideoDescription } from '@aws-sdk/client-medialive';
import type { LocalChannel } from '../contracts.js';
import type { SlateSpec } from './slate.js';

/** The channel's EncoderSettings ask for something the local encoder cannot do. */
export class EncoderSettingsUnsupported extends Error {
  constructor(channelId: string, message: string) {
    super(`channel ${channelId}: ${message}`);
    this.name = 'EncoderSettingsUnsupported';
  }
}

export interface VideoEncode {
  width: number;
  height: number;
  /** Target bitrate in bits/s (CBR/VBR); for QVBR the cap. */
  bitrate: number;
  maxBitrate: number;
  bufSize: number;
  /** x264 constant rate factor standing in for QVBR's quality level; absent for CBR/VBR. */
  crf?: number;
  /** Undefined to keep the source's frame rate. */
  frameRate?: { numerator: number; denominator: number };
  gopFrames: number;
  profile: 'baseline' | 'main' | 'high';
  /** x264 level such as `4.1`, absent for AUTO. */
  level?: string;
}

export interface AudioEncode {
  bitrate: number;
  sampleRate: number;
  channels: number;
}

/** An output of the plan: indexes into `videos` and `audios`. */
interface Encodes {
  video: number;
  audio?: number;
}

export interface HlsRendition extends Encodes {
  /** Folder-safe name, from the output's name. */
  name: string;
  /** BANDWIDTH of the master playlist: video (peak) plus audio bitrate. */
  bandwidth: number;
  width: number;
  height: number;
  frameRate?: number;
}

export interface ArchiveOutput extends Encodes {
  name: string;
  nameModifier: string;
  extension: string;
  /** One destination URL per pipeline (`s3ssl://bucket/path/base`). */
  destinations: string[];
}

export interface SimulcastOutput extends Encodes {
  /** The output's name (MediaLive OutputName). */
  name: string;
  /**
   * Pipeline 1's URL with the stream key appended (`<Url>/<StreamName>`): one encoder stands for
   * both pipelines locally, so one push per destination.
   */
  url: string;
  /** The stream key, to mask in logs. */
  secret: string;
  /** ConnectionRetryInterval, seconds. */
  retrySeconds: number;
}

export interface EncoderPlan {
  channelId: string;
  /** The MediaPackage channel receiving the HLS ladder; the HLS folder is named after it. */
  packageChannelId: string;
  segmentSeconds: number;
  rolloverSeconds: number;
  /** Key frames are forced on this period so both HLS segments and archive files cut on them. */
  keyframeSeconds: number;
  videos: VideoEncode[];
  audios: AudioEncode[];
  renditions: HlsRendition[];
  archives: ArchiveOutput[];
  /** What is encoded while no input feeds the channel: the top rendition's size and rate. */
  slate: SlateSpec;
  /**
   * JPEG thumbnails when the channel's ThumbnailConfiguration is AUTO: small (a list of streams
   * shows several at once) and refreshed every 2 s, well within the 10 s a console may take to
   * show a new one.
   */
  thumbnail?: { height: number; everySeconds: number };
  simulcast: SimulcastOutput[];
}

/** MediaPackage v1's default HLS segment duration (HlsPackage.SegmentDurationSeconds). */
const DEFAULT_SEGMENT_SECONDS = 6;
/** MediaLive's default archive RolloverInterval. */
const DEFAULT_ROLLOVER_SECONDS = 300;
const DEFAULT_AAC_BITRATE = 192_000;
const DEFAULT_SAMPLE_RATE = 48_000;
/** Frame rate assumed to turn GOP seconds into frames when the channel follows the source. */
const ASSUMED_SOURCE_FPS = 30;
/** Names end up in file paths and FFmpeg's tee syntax: keep them to characters needing no escape. */
const SAFE_ID = /^[A-Za-z0-9_-]+$/;

function safeName(name: string, fallback: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || fallback;
}

/**
 * MediaPackage v1 output groups carry no segment length (the endpoint repackages); the V2 settings
 * do. Without them, MediaPackage's default applies.
 */
function segmentSeconds(groups: OutputGroup[]): number {
  for (const group of groups) {
    const v2 = group.OutputGroupSettings?.MediaPackageGroupSettings?.MediapackageV2GroupSettings;
    if (v2?.SegmentLength) {
      return v2.SegmentLengthUnits === 'MILLISECONDS' ? v2.SegmentLength / 1000 : v2.SegmentLength;
    }
  }
  return DEFAULT_SEGMENT_SECONDS;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function videoEncode(description: VideoDescription, fail: (message: string) => never): VideoEncode {
  const h264 = description.CodecSettings?.H264Settings;
  if (!description.Width || !description.Height) {
    fail(`video description ${description.Name} needs Width and Height`);
  }
  const frameRate =
    h264?.FramerateNumerator &&
    h264.FramerateDenominator &&
    h264.FramerateControl !== 'INITIALIZE_FROM_SOURCE'
      ? { numerator: h264.FramerateNumerator, denominator: h264.FramerateDenominator }
      : undefined;
  const fps = frameRate ? frameRate.numerator / frameRate.denominator : ASSUMED_SOURCE_FPS;
  // MediaLive's GOP size is in frames unless told otherwise; without one, a 2 s GOP.
  const gop =
    h264?.GopSize === undefined ? 2 * fps : h264.GopSize * (h264.GopSizeUnits === 'SECONDS' ? fps : 1);
  const rateControl = h264?.RateControlMode ?? 'CBR';
  const qvbr = rateControl === 'QVBR';
  const bitrate = (qvbr ? h264?.MaxBitrate : h264?.Bitrate) ?? h264?.MaxBitrate ?? h264?.Bitrate;
  if (!bitrate) fail(`video description ${description.Name} needs a Bitrate (or MaxBitrate for QVBR)`);
  const maxBitrate = rateControl === 'VBR' && h264?.MaxBitrate ? h264.MaxBitrate : bitrate;
  const level = h264?.Level?.match(/^H264_LEVEL_(\d)(?:_(\d))?$/);
  return {
    width: description.Width,
    height: description.Height,
    bitrate,
    maxBitrate,
    bufSize: h264?.BufSize ?? 2 * maxBitrate,
    gopFrames: Math.max(1, Math.round(gop)),
    profile: h264?.Profile === 'BASELINE' ? 'baseline' : h264?.Profile === 'MAIN' ? 'main' : 'high',
    ...(frameRate ? { frameRate } : {}),
    ...(level ? { level: level[2] ? `${level[1]}.${level[2]}` : `${level[1]}` } : {}),
    // QVBR quality 1..10 mapped onto x264's CRF scale (7, MediaLive's suggestion for HD, → 24).
    ...(qvbr ? { crf: Math.max(16, 38 - 2 * (h264?.QvbrQualityLevel ?? 7)) } : {}),
  };
}

/** Index of `value` in `list` (by content), appended if new: each distinct encode is done once. */
function encodeIndex<T>(list: T[], value: T): number {
  const key = JSON.stringify(value);
  const found = list.findIndex((item) => JSON.stringify(item) === key);
  return found >= 0 ? found : list.push(value) - 1;
}

export function planEncoding(channel: LocalChannel): EncoderPlan {
  const settings = channel.encoderSettings;
  const groups = settings.OutputGroups ?? [];
  const fail = (message: string): never => {
    throw new EncoderSettingsUnsupported(channel.id, message);
  };
  const videos: VideoEncode[] = [];
  const audios: AudioEncode[] = [];
  const videoDescription = (name: string | undefined) =>
    settings.VideoDescriptions?.find((d) => name !== undefined && d.Name === name);
  /** The output's encodes (its video `reused` if given one); an output without video gets none. */
  const encodes = (
    output: { VideoDescriptionName?: string; AudioDescriptionNames?: string[] },
    reused?: (encode: VideoEncode) => number | undefined,
  ) => {
    const description = videoDescription(output.VideoDescriptionName);
    if (!description) return undefined;
    const encode = videoEncode(description, fail);
    const video = reused?.(encode) ?? encodeIndex(videos, encode);
    const audioName = output.AudioDescriptionNames?.[0];
    if (audioName === undefined) return { encode, video };
    const audio = settings.AudioDescriptions?.find((d) => d.Name === audioName);
    if (!audio) return fail(`audio description ${audioName} does not exist`);
    // Every audio codec is encoded as AAC locally.
    const aac = audio.CodecSettings?.AacSettings;
    const audioEncode = {
      bitrate: aac?.Bitrate ?? DEFAULT_AAC_BITRATE,
      sampleRate: aac?.SampleRate ?? DEFAULT_SAMPLE_RATE,
      channels: aac?.CodingMode === 'CODING_MODE_1_0' ? 1 : 2,
    };
    return { encode, video, audio: encodeIndex(audios, audioEncode) };
  };

  const ladder = groups.find((group) => group.OutputGroupSettings?.MediaPackageGroupSettings);
  const packageDestination =
    ladder?.OutputGroupSettings?.MediaPackageGroupSettings?.Destination?.DestinationRefId;
  if (!ladder) return fail('no MediaPackage output group to encode the ladder for');
  const packageChannelId = channel.destinations.find((d) => d.Id === packageDestination)
    ?.MediaPackageSettings?.[0]?.ChannelId;
  if (!packageChannelId)
    return fail(`destination ${packageDestination} has no MediaPackageSettings ChannelId`);
  if (!SAFE_ID.test(packageChannelId) || !SAFE_ID.test(channel.id)) {
    fail(`ids must match ${SAFE_ID} (package channel ${packageChannelId})`);
  }

  const renditions: HlsRendition[] = [];
  for (const [i, output] of (ladder.Outputs ?? []).entries()) {
    // Audio-only renditions are not produced locally: a ladder of video renditions plays everywhere.
    const used = encodes(output);
    if (!used) continue;
    const { encode, video, audio } = used;
    let name = safeName(output.OutputName ?? output.VideoDescriptionName ?? '', `rendition${i + 1}`);
    if (renditions.some((r) => r.name === name)) name = `${name}_${i + 1}`;
    renditions.push({
      name,
      video,
      ...(audio === undefined ? {} : { audio }),
      bandwidth: encode.maxBitrate + (audio === undefined ? 0 : (audios[audio]?.bitrate ?? 0)),
      width: encode.width,
      height: encode.height,
      ...(encode.frameRate ? { frameRate: encode.frameRate.numerator / encode.frameRate.denominator } : {}),
    });
  }
  if (renditions.length === 0) fail('the ladder output group has no output with video');

  const archives: ArchiveOutput[] = [];
  let rolloverSeconds = DEFAULT_ROLLOVER_SECONDS;
  for (const group of groups) {
    const archive = group.OutputGroupSettings?.ArchiveGroupSettings;
    if (!archive) continue;
    rolloverSeconds = archive.RolloverInterval ?? DEFAULT_ROLLOVER_SECONDS;
    const destinationId = archive.Destination?.DestinationRefId;
    const destinations = (channel.destinations.find((d) => d.Id === destinationId)?.Settings ?? [])
      .map((s) => s.Url ?? '')
      .filter((url) => url !== '');
    if (destinations.length === 0) fail(`archive destination ${destinationId} has no S3 URL`);
    for (const [i, output] of (group.Outputs ?? []).entries()) {
      const ladderTwin = (encode: VideoEncode) =>
        renditions.find((r) => r.width === encode.width && r.height === encode.height)?.video;
      const { video, audio } =
        encodes(output, ladderTwin) ??
        fail(`archive output ${output.OutputName ?? i} has no video description`);
      const settings = output.OutputSettings?.ArchiveOutputSettings;
      archives.push({
        name: safeName(output.OutputName ?? `archive${i + 1}`, `archive${i + 1}`),
        video,
        ...(audio === undefined ? {} : { audio }),
        nameModifier: settings?.NameModifier ?? '',
        extension: (settings?.Extension ?? 'ts').replace(/^\./, ''),
        destinations,
      });
    }
  }

  const simulcast: SimulcastOutput[] = [];
  for (const group of groups) {
    if (!group.OutputGroupSettings?.RtmpGroupSettings) continue;
    for (const [i, output] of (group.Outputs ?? []).entries()) {
      const rtmp = output.OutputSettings?.RtmpOutputSettings;
      const used = encodes(output);
      if (!rtmp || !used)
        return fail(`RTMP output ${output.OutputName ?? i} needs RtmpOutputSettings and video`);
      const destinationId = rtmp.Destination?.DestinationRefId;
      const setting = channel.destinations.find((d) => d.Id === destinationId)?.Settings?.[0];
      if (!setting?.Url) return fail(`RTMP destination ${destinationId} has no URL`);
      simulcast.push({
        name: output.OutputName ?? `rtmp${i + 1}`,
        video: used.video,
        ...(used.audio === undefined ? {} : { audio: used.audio }),
        url: setting.StreamName ? `${setting.Url.replace(/\/+$/, '')}/${setting.StreamName}` : setting.Url,
        secret: setting.StreamName ?? setting.Url,
        retrySeconds: rtmp.ConnectionRetryInterval ?? 2,
      });
    }
  }

  const top = videos.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  const inputLoss = settings.GlobalConfiguration?.InputLossBehavior;
  // MediaLive's input-loss image is a solid colour, black (000000) unless InputLossImageColor says
  // otherwise; an InputLossImageSlate (an image in S3) is not fetched locally: black stands in.
  const imageColor = inputLoss?.InputLossImageColor ?? '';
  const color =
    inputLoss?.InputLossImageType !== 'SLATE' && /^[0-9A-Fa-f]{6}$/.test(imageColor)
      ? imageColor.toLowerCase()
      : '000000';
  const segment = segmentSeconds(groups);
  return {
    ...(settings.ThumbnailConfiguration?.State === 'AUTO'
      ? { thumbnail: { height: 270, everySeconds: 2 } }
      : {}),
    channelId: channel.id,
    packageChannelId,
    segmentSeconds: segment,
    rolloverSeconds,
    keyframeSeconds:
      archives.length > 0 && Number.isInteger(segment) ? gcd(segment, rolloverSeconds) : segment,
    videos,
    audios,
    renditions,
    archives,
    slate: {
      width: top.width,
      height: top.height,
      frameRate: top.frameRate ?? { numerator: ASSUMED_SOURCE_FPS, denominator: 1 },
      color,
    },
    simulcast,
  };
}
