/**
 * What the local encoder does for one channel, read from the channel's own EncoderSettings: the
 * distinct video and audio encodes, the HLS renditions sent to MediaPackage and the archive outputs.
 *
 * Encodes are shared: two outputs with the same video or audio parameters use one encode, and an
 * archive output reuses the ladder's encode of the same resolution (the seed's archive is a second
 * 1080p encode at QVBR 7 Mb/s; encoding 1080p twice does not keep real time on 2 cores).
 */
import type {
  AudioDescription,
  Output,
  OutputDestination,
  OutputGroup,
  VideoDescription,
} from '@aws-sdk/client-medialive';
import type { LocalChannel } from '../contracts.js';
import type { SlateSpec } from './slate.js';

/** The channel's EncoderSettings ask for something the local encoder cannot do. */
export class EncoderSettingsUnsupported extends Error {
  constructor(
    readonly channelId: string,
    message: string,
  ) {
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
  /** `num/den`, or undefined to keep the source's frame rate. */
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

export interface HlsRendition {
  /** Folder-safe name, from the output's name. */
  name: string;
  video: number;
  audio?: number;
  /** BANDWIDTH of the master playlist: video (peak) plus audio bitrate. */
  bandwidth: number;
  width: number;
  height: number;
  frameRate?: number;
}

export interface ArchiveOutput {
  name: string;
  video: number;
  audio?: number;
  nameModifier: string;
  extension: string;
  /** One destination URL per pipeline (`s3ssl://bucket/path/base`). */
  destinations: string[];
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
  /** JPEG thumbnails of the encoded picture, when the channel's ThumbnailConfiguration is AUTO. */
  thumbnail?: ThumbnailPlan;
  /** RTMP output groups: renditions pushed to other platforms. */
  simulcast: SimulcastOutput[];
}

export interface SimulcastOutput {
  /** The output's name (MediaLive OutputName). */
  name: string;
  video: number;
  audio?: number;
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

export interface ThumbnailPlan {
  /** Pixels; the width follows the picture's aspect ratio. */
  height: number;
  /** One new JPEG this often (seconds). */
  everySeconds: number;
}

/**
 * Thumbnails: small (a list of streams shows several at once) and refreshed every 2 s, well within
 * the 10 s a console may take to show a new one; choosing the frames before scaling costs the
 * encoder one small scale every 2 s.
 */
export const LOCAL_THUMBNAIL: ThumbnailPlan = Object.freeze({ height: 270, everySeconds: 2 });

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
  const cleaned = name.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '');
  return cleaned || fallback;
}

function ladderGroup(groups: OutputGroup[]): OutputGroup | undefined {
  return (
    groups.find((group) => group.OutputGroupSettings?.MediaPackageGroupSettings) ??
    groups.find((group) => group.OutputGroupSettings?.HlsGroupSettings)
  );
}

/**
 * MediaPackage v1 output groups carry no segment length (the endpoint repackages); the V2 settings
 * or an HLS group do. Without either, MediaPackage's default applies.
 */
function segmentSeconds(groups: OutputGroup[]): number {
  for (const group of groups) {
    const v2 = group.OutputGroupSettings?.MediaPackageGroupSettings?.MediapackageV2GroupSettings;
    if (v2?.SegmentLength) {
      return v2.SegmentLengthUnits === 'MILLISECONDS' ? v2.SegmentLength / 1000 : v2.SegmentLength;
    }
  }
  for (const group of groups) {
    const length = group.OutputGroupSettings?.HlsGroupSettings?.SegmentLength;
    if (length) return length;
  }
  return DEFAULT_SEGMENT_SECONDS;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

class PlanBuilder {
  readonly videos: VideoEncode[] = [];
  readonly audios: AudioEncode[] = [];

  constructor(
    readonly channel: LocalChannel,
    readonly videoDescriptions: VideoDescription[],
    readonly audioDescriptions: AudioDescription[],
  ) {}

  fail(message: string): never {
    throw new EncoderSettingsUnsupported(this.channel.id, message);
  }

  videoDescription(name: string | undefined): VideoDescription | undefined {
    return name === undefined ? undefined : this.videoDescriptions.find((d) => d.Name === name);
  }

  video(description: VideoDescription): VideoEncode {
    const h264 = description.CodecSettings?.H264Settings;
    if (!description.Width || !description.Height) {
      this.fail(`video description ${description.Name} needs Width and Height`);
    }
    const frameRate =
      h264?.FramerateNumerator &&
      h264.FramerateDenominator &&
      h264.FramerateControl !== 'INITIALIZE_FROM_SOURCE'
        ? { numerator: h264.FramerateNumerator, denominator: h264.FramerateDenominator }
        : undefined;
    const fps = frameRate ? frameRate.numerator / frameRate.denominator : ASSUMED_SOURCE_FPS;
    // MediaLive's GOP size is in frames unless told otherwise; without one, a 2 s GOP.
    const gopFrames = Math.max(
      1,
      Math.round(
        h264?.GopSize === undefined
          ? 2 * fps
          : (h264.GopSizeUnits ?? 'FRAMES') === 'FRAMES'
            ? h264.GopSize
            : h264.GopSize * fps,
      ),
    );
    const rateControl = h264?.RateControlMode ?? 'CBR';
    const qvbr = rateControl === 'QVBR';
    const bitrate = (qvbr ? h264?.MaxBitrate : h264?.Bitrate) ?? h264?.MaxBitrate ?? h264?.Bitrate;
    if (!bitrate) this.fail(`video description ${description.Name} needs a Bitrate (or MaxBitrate for QVBR)`);
    const maxBitrate = rateControl === 'VBR' && h264?.MaxBitrate ? h264.MaxBitrate : bitrate;
    const profile = h264?.Profile === 'BASELINE' ? 'baseline' : h264?.Profile === 'MAIN' ? 'main' : 'high';
    const level = h264?.Level?.match(/^H264_LEVEL_(\d)(?:_(\d))?$/);
    const encode: VideoEncode = {
      width: description.Width,
      height: description.Height,
      bitrate,
      maxBitrate,
      bufSize: h264?.BufSize ?? 2 * maxBitrate,
      gopFrames,
      profile,
      ...(frameRate ? { frameRate } : {}),
      ...(level ? { level: level[2] ? `${level[1]}.${level[2]}` : `${level[1]}` } : {}),
      // QVBR quality 1..10 mapped onto x264's CRF scale (7, MediaLive's suggestion for HD, → 24).
      ...(qvbr ? { crf: Math.max(16, 38 - 2 * (h264?.QvbrQualityLevel ?? 7)) } : {}),
    };
    return encode;
  }

  addVideo(encode: VideoEncode): number {
    const key = JSON.stringify(encode);
    const found = this.videos.findIndex((v) => JSON.stringify(v) === key);
    if (found >= 0) return found;
    this.videos.push(encode);
    return this.videos.length - 1;
  }

  addAudio(names: string[] | undefined): number | undefined {
    const name = names?.[0];
    if (name === undefined) return undefined;
    const description = this.audioDescriptions.find((d) => d.Name === name);
    if (!description) this.fail(`audio description ${name} does not exist`);
    // Every audio codec is encoded as AAC locally, at the description's bitrate where it has one.
    const aac = description.CodecSettings?.AacSettings;
    const bitrate =
      aac?.Bitrate ??
      description.CodecSettings?.Ac3Settings?.Bitrate ??
      description.CodecSettings?.Eac3Settings?.Bitrate ??
      description.CodecSettings?.Mp2Settings?.Bitrate ??
      DEFAULT_AAC_BITRATE;
    const encode: AudioEncode = {
      bitrate,
      sampleRate: aac?.SampleRate ?? DEFAULT_SAMPLE_RATE,
      channels: aac?.CodingMode === 'CODING_MODE_1_0' ? 1 : 2,
    };
    const found = this.audios.findIndex(
      (a) =>
        a.bitrate === encode.bitrate && a.sampleRate === encode.sampleRate && a.channels === encode.channels,
    );
    if (found >= 0) return found;
    this.audios.push(encode);
    return this.audios.length - 1;
  }
}

function destinationUrls(channel: LocalChannel, id: string | undefined): string[] {
  const destination: OutputDestination | undefined = channel.destinations.find((d) => d.Id === id);
  return (destination?.Settings ?? []).map((s) => s.Url ?? '').filter((url) => url !== '');
}

export function planEncoding(channel: LocalChannel): EncoderPlan {
  const settings = channel.encoderSettings;
  const groups = settings.OutputGroups ?? [];
  // Typed explicitly so that `builder.fail` (returning never) narrows like a throw.
  const builder: PlanBuilder = new PlanBuilder(
    channel,
    settings.VideoDescriptions ?? [],
    settings.AudioDescriptions ?? [],
  );

  const ladder = ladderGroup(groups);
  if (!ladder) builder.fail('no MediaPackage or HLS output group to encode the ladder for');
  const packageDestination =
    ladder.OutputGroupSettings?.MediaPackageGroupSettings?.Destination?.DestinationRefId;
  const packageChannelId = packageDestination
    ? channel.destinations.find((d) => d.Id === packageDestination)?.MediaPackageSettings?.[0]?.ChannelId
    : // An HLS group pushes to a URL, not to a package channel: its files are kept, not served.
      `medialive-${channel.id}`;
  if (!packageChannelId) {
    builder.fail(`destination ${packageDestination} has no MediaPackageSettings ChannelId`);
  }
  if (!SAFE_ID.test(packageChannelId) || !SAFE_ID.test(channel.id)) {
    builder.fail(`ids must match ${SAFE_ID} (package channel ${packageChannelId})`);
  }

  const renditions: HlsRendition[] = [];
  (ladder.Outputs ?? []).forEach((output: Output, i) => {
    const description = builder.videoDescription(output.VideoDescriptionName);
    // Audio-only renditions are not produced locally: a ladder of video renditions plays everywhere.
    if (!description) return;
    const encode = builder.video(description);
    const video = builder.addVideo(encode);
    const audio = builder.addAudio(output.AudioDescriptionNames);
    const audioBitrate = audio === undefined ? 0 : (builder.audios[audio]?.bitrate ?? 0);
    let name = safeName(output.OutputName ?? description.Name ?? '', `rendition${i + 1}`);
    if (renditions.some((r) => r.name === name)) name = `${name}_${i + 1}`;
    renditions.push({
      name,
      video,
      ...(audio === undefined ? {} : { audio }),
      bandwidth: encode.maxBitrate + audioBitrate,
      width: encode.width,
      height: encode.height,
      ...(encode.frameRate ? { frameRate: encode.frameRate.numerator / encode.frameRate.denominator } : {}),
    });
  });
  if (renditions.length === 0) builder.fail('the ladder output group has no output with video');

  const archives: ArchiveOutput[] = [];
  let rolloverSeconds = DEFAULT_ROLLOVER_SECONDS;
  for (const group of groups) {
    const archive = group.OutputGroupSettings?.ArchiveGroupSettings;
    if (!archive) continue;
    rolloverSeconds = archive.RolloverInterval ?? DEFAULT_ROLLOVER_SECONDS;
    const destinations = destinationUrls(channel, archive.Destination?.DestinationRefId);
    if (destinations.length === 0) {
      builder.fail(`archive destination ${archive.Destination?.DestinationRefId} has no S3 URL`);
    }
    (group.Outputs ?? []).forEach((output, i) => {
      const description = builder.videoDescription(output.VideoDescriptionName);
      if (!description) builder.fail(`archive output ${output.OutputName ?? i} has no video description`);
      const own = builder.video(description);
      const ladderTwin = renditions.find((r) => r.width === own.width && r.height === own.height);
      const video = ladderTwin ? ladderTwin.video : builder.addVideo(own);
      const audio = builder.addAudio(output.AudioDescriptionNames);
      const settings = output.OutputSettings?.ArchiveOutputSettings;
      archives.push({
        name: safeName(output.OutputName ?? `archive${i + 1}`, `archive${i + 1}`),
        video,
        ...(audio === undefined ? {} : { audio }),
        nameModifier: settings?.NameModifier ?? '',
        extension: (settings?.Extension ?? 'ts').replace(/^\./, ''),
        destinations,
      });
    });
  }

  const simulcast: SimulcastOutput[] = [];
  for (const group of groups) {
    if (!group.OutputGroupSettings?.RtmpGroupSettings) continue;
    for (const [i, output] of (group.Outputs ?? []).entries()) {
      const rtmp = output.OutputSettings?.RtmpOutputSettings;
      const description = builder.videoDescription(output.VideoDescriptionName);
      if (!rtmp || !description)
        builder.fail(`RTMP output ${output.OutputName ?? i} needs RtmpOutputSettings and video`);
      const setting = channel.destinations.find((d) => d.Id === rtmp.Destination?.DestinationRefId)
        ?.Settings?.[0];
      if (!setting?.Url) builder.fail(`RTMP destination ${rtmp.Destination?.DestinationRefId} has no URL`);
      const audio = builder.addAudio(output.AudioDescriptionNames);
      simulcast.push({
        name: output.OutputName ?? `rtmp${i + 1}`,
        video: builder.addVideo(builder.video(description)),
        ...(audio === undefined ? {} : { audio }),
        url: setting.StreamName ? `${setting.Url.replace(/\/+$/, '')}/${setting.StreamName}` : setting.Url,
        secret: setting.StreamName ?? setting.Url,
        retrySeconds: rtmp.ConnectionRetryInterval ?? 2,
      });
    }
  }

  const top = builder.videos.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  const inputLoss = settings.GlobalConfiguration?.InputLossBehavior;
  // MediaLive's input-loss image is a solid colour, black (000000) unless InputLossImageColor says
  // otherwise; an InputLossImageSlate (an image in S3) is not fetched locally: black stands in.
  const imageColor = inputLoss?.InputLossImageColor ?? '';
  const color =
    inputLoss?.InputLossImageType !== 'SLATE' && /^[0-9A-Fa-f]{6}$/.test(imageColor)
      ? imageColor.toLowerCase()
      : '000000';
  const slate: SlateSpec = {
    width: top.width,
    height: top.height,
    frameRate: top.frameRate ?? { numerator: ASSUMED_SOURCE_FPS, denominator: 1 },
    color,
  };

  const segment = segmentSeconds(groups);
  const keyframeSeconds =
    archives.length > 0 && Number.isInteger(segment) ? gcd(segment, rolloverSeconds) : segment;
  const thumbnails = settings.ThumbnailConfiguration?.State === 'AUTO';
  return {
    ...(thumbnails ? { thumbnail: LOCAL_THUMBNAIL } : {}),
    channelId: channel.id,
    packageChannelId,
    segmentSeconds: segment,
    rolloverSeconds,
    keyframeSeconds,
    videos: builder.videos,
    audios: builder.audios,
    renditions,
    archives,
    slate,
    simulcast,
  };
}
