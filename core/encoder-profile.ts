/**
 * The MediaLive channel of one stream: the encoder settings of the module this project replaces, as a
 * CreateChannel/UpdateChannel request.
 *
 * - Four H.264/AAC renditions go to MediaPackage (v1) through a MediaPackage output group: the
 *   destination is the MediaPackage channel id, so there is no WebDAV URL and no password in SSM.
 * - One 1080p QVBR rendition is archived to S3 as MPEG-TS files of `segmentLength` seconds, one
 *   destination per pipeline (see `core/archive-naming.ts` for the keys MediaLive writes).
 *
 * The settings were checked against the MediaLive API model (test/core/encoder-profile.test.ts).
 */
import type {
  AudioDescription,
  CreateChannelCommandInput,
  EncoderSettings,
  H264Level,
  InputAttachment,
  InputSpecification,
  Output,
  OutputDestination,
  OutputGroup,
  UpdateChannelCommandInput,
  VideoDescription,
} from '@aws-sdk/client-medialive';
import { DomainError, type FieldProblem } from './errors.js';

export type ChannelClassName = 'STANDARD' | 'SINGLE_PIPELINE';

export interface ChannelSpec {
  /** MediaLive channel name. */
  name: string;
  channelClass: ChannelClassName;
  /** The RTMP_PUSH input to attach. */
  inputId: string;
  /** MediaLive role; always passed, because UpdateChannel without it removes the role. */
  roleArn: string;
  /** MediaPackage v1 channel id. */
  packageChannelId: string;
  /** Archive `RolloverInterval` in seconds: an integer ≥ 1 (API model `__integerMin1`, no maximum). */
  segmentLength: number;
  /** Archive destination URLs (`archiveUrls()`), one per pipeline: 2 for STANDARD, 1 for SINGLE_PIPELINE. */
  archiveUrls: string[];
  tags?: Record<string, string>;
  /** Platforms to push a rendition to (simulcast): one RTMP output group each. */
  destinations?: SimulcastSpec[];
  /**
   * CreateChannel idempotency token: a retried create with the same id returns the same channel
   * instead of creating a second, billable one. Derive it from the workflow execution.
   */
  requestId?: string;
}

export interface SimulcastSpec {
  name: string;
  /** One RTMP(S) URL per pipeline, without the stream key. */
  urls: string[];
  streamKey: string;
  /** Height of the ladder rendition pushed: 1080, 720, 540 or 360. */
  height: number;
}

/**
 * MediaLive's RTMP output: reconnect 2 s after a lost connection, 30 times, then the output group
 * restarts after 15 s; a platform that stalls is disconnected (its cache of 30 s, the API model's
 * minimum, full) rather than waited on for 5 minutes: the audience would see that stall as a
 * frozen stream anyway.
 */
const RTMP_RETRY = { connectionRetryInterval: 2, numRetries: 30, restartDelay: 15, cacheLength: 30 } as const;

export const simulcastDestinationId = (index: number) => `simulcast${index}`;
/** The output's name: health matches alert messages that name it. */
export const simulcastOutputName = (name: string) => `simulcast ${name}`;

/** A ChannelSpec that cannot produce a valid channel: a bug in the caller, never user input. */
export class InvalidChannelSpec extends DomainError {
  static override readonly errorName: string = 'InvalidChannelSpec';

  constructor(readonly problems: FieldProblem[]) {
    super(`invalid channel spec: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`);
  }
}

export interface Rendition {
  nameModifier: string;
  width: number;
  height: number;
  /** Video bitrate, bits/s (CBR). */
  bitrate: number;
  profile: 'MAIN' | 'HIGH';
  /** MediaLive `H264Level`; MediaLive picks the level when absent. */
  level?: H264Level;
  /** AAC bitrate, bits/s. */
  audioBitrate: number;
}

/** The HLS ladder sent to MediaPackage, lowest first. Name modifiers state the real bitrates. */
export const LADDER: ReadonlyArray<Readonly<Rendition>> = Object.freeze(
  (
    [
      {
        nameModifier: '_360p800k',
        width: 640,
        height: 360,
        bitrate: 800_000,
        profile: 'MAIN',
        audioBitrate: 64_000,
      },
      {
        nameModifier: '_540p2200k',
        width: 960,
        height: 540,
        bitrate: 2_200_000,
        profile: 'HIGH',
        level: 'H264_LEVEL_4_1',
        audioBitrate: 96_000,
      },
      {
        nameModifier: '_720p4700k',
        width: 1280,
        height: 720,
        bitrate: 4_700_000,
        profile: 'HIGH',
        level: 'H264_LEVEL_4_1',
        audioBitrate: 128_000,
      },
      {
        nameModifier: '_1080p8000k',
        width: 1920,
        height: 1080,
        bitrate: 8_000_000,
        profile: 'HIGH',
        level: 'H264_LEVEL_4_1',
        audioBitrate: 128_000,
      },
    ] satisfies Rendition[]
  ).map((r) => Object.freeze(r)),
);

/** Appended by MediaLive to the archive destination's base filename, before the counter. */
export const ARCHIVE_NAME_MODIFIER = '_1080p';
/**
 * Set explicitly: the MediaLive guide names the M2TS default both `.ts` and `.m2ts` on different
 * pages, and the clip planner must know the keys without listing them.
 */
export const ARCHIVE_EXTENSION = 'ts';

/** The 1080p archive rendition: QVBR capped at the seed's 7 Mb/s. */
export const ARCHIVE_RENDITION = Object.freeze({
  width: 1920,
  height: 1080,
  maxBitrate: 7_000_000,
  profile: 'HIGH',
  level: 'H264_LEVEL_4_1',
  audioBitrate: 128_000,
} as const);

export const DESTINATION_IDS = { mediaPackage: 'mediapackage', archive: 'archive' } as const;

/** 29.97 fps, the seed's frame rate. */
export const FRAME_RATE = Object.freeze({ numerator: 30_000, denominator: 1_001 } as const);
/** Closed GOPs of 60 frames (2.002 s) on every rendition, so that segments align across the ladder. */
export const GOP_FRAMES = 60;
/**
 * HLS segment length viewers get. MediaLive's MediaPackage (v1) output group has no segment length
 * field (API model: `MediaPackageGroupSettings` has only `Destination`); the MediaPackage endpoint's
 * `SegmentDurationSeconds` sets it, and MediaLive's guide asks for a GOP that divides into it:
 * 3 GOPs of 2.002 s. Whoever creates the origin endpoint uses this value.
 */
export const HLS_SEGMENT_SECONDS = 6;

const AUDIO_SELECTOR = 'default';
const PIPELINES: Record<ChannelClassName, number> = { STANDARD: 2, SINGLE_PIPELINE: 1 };

export function buildCreateChannelInput(spec: ChannelSpec): CreateChannelCommandInput {
  assertValid(spec);
  return {
    Name: spec.name,
    ChannelClass: spec.channelClass,
    RoleArn: spec.roleArn,
    InputAttachments: inputAttachments(spec),
    InputSpecification: { ...INPUT_SPECIFICATION },
    Destinations: destinations(spec),
    EncoderSettings: encoderSettings(spec),
    ...(spec.tags ? { Tags: { ...spec.tags } } : {}),
    ...(spec.requestId ? { RequestId: spec.requestId } : {}),
  };
}

/** For UpdateChannel before each start: same settings, new archive URLs, RoleArn always set. */
export function buildUpdateChannelInput(channelId: string, spec: ChannelSpec): UpdateChannelCommandInput {
  if (channelId.trim() === '') throw new InvalidChannelSpec([{ field: 'channelId', reason: 'is empty' }]);
  assertValid(spec);
  return {
    ChannelId: channelId,
    Name: spec.name,
    RoleArn: spec.roleArn,
    InputAttachments: inputAttachments(spec),
    InputSpecification: { ...INPUT_SPECIFICATION },
    Destinations: destinations(spec),
    EncoderSettings: encoderSettings(spec),
  };
}

/**
 * RTMP from OBS/ffmpeg is AVC up to 1080p. `HD` is the API's value for up to 1080p
 * (`InputResolution` is SD | HD | UHD); 20 Mb/s leaves room above an 8 Mb/s contribution.
 */
const INPUT_SPECIFICATION: InputSpecification = Object.freeze({
  Codec: 'AVC',
  MaximumBitrate: 'MAX_20_MBPS',
  Resolution: 'HD',
});

function inputAttachments(spec: ChannelSpec): InputAttachment[] {
  return [
    {
      InputId: spec.inputId,
      InputAttachmentName: spec.inputId,
      // Named explicitly so every AudioDescription references a selector that exists; without
      // selector settings MediaLive takes the input's first audio track.
      InputSettings: { AudioSelectors: [{ Name: AUDIO_SELECTOR }], SourceEndBehavior: 'CONTINUE' },
    },
  ];
}

function destinations(spec: ChannelSpec): OutputDestination[] {
  return [
    // One entry for either class: MediaLive maps pipeline 0 and 1 to the MediaPackage channel's two
    // ingest endpoints itself.
    { Id: DESTINATION_IDS.mediaPackage, MediaPackageSettings: [{ ChannelId: spec.packageChannelId }] },
    { Id: DESTINATION_IDS.archive, Settings: spec.archiveUrls.map((Url) => ({ Url })) },
    // An RTMP destination: the URL without the key, the key as StreamName, one per pipeline.
    ...(spec.destinations ?? []).map((d, i) => ({
      Id: simulcastDestinationId(i),
      Settings: d.urls.map((Url) => ({ Url, StreamName: d.streamKey })),
    })),
  ];
}

function simulcastGroups(spec: ChannelSpec): OutputGroup[] {
  return (spec.destinations ?? []).map((d, i) => {
    const rendition = LADDER.find((r) => r.height === d.height) ?? LADDER[2];
    return {
      Name: simulcastDestinationId(i),
      OutputGroupSettings: {
        RtmpGroupSettings: {
          InputLossAction: 'EMIT_OUTPUT',
          CacheFullBehavior: 'DISCONNECT_IMMEDIATELY',
          CacheLength: RTMP_RETRY.cacheLength,
          RestartDelay: RTMP_RETRY.restartDelay,
        },
      },
      Outputs: [
        {
          OutputName: simulcastOutputName(d.name),
          // The ladder's own encode of that rendition, shared: a destination costs no encode.
          VideoDescriptionName: `video${rendition?.nameModifier}`,
          AudioDescriptionNames: [`audio${rendition?.nameModifier}`],
          OutputSettings: {
            RtmpOutputSettings: {
              Destination: { DestinationRefId: simulcastDestinationId(i) },
              ConnectionRetryInterval: RTMP_RETRY.connectionRetryInterval,
              NumRetries: RTMP_RETRY.numRetries,
              CertificateMode: 'VERIFY_AUTHENTICITY',
            },
          },
        },
      ],
    };
  });
}

function encoderSettings(spec: ChannelSpec): EncoderSettings {
  const videos: VideoDescription[] = LADDER.map((r) =>
    video(`video${r.nameModifier}`, r.width, r.height, {
      RateControlMode: 'CBR',
      Bitrate: r.bitrate,
      Profile: r.profile,
      Level: r.level ?? 'H264_LEVEL_AUTO',
    }),
  );
  const audios: AudioDescription[] = LADDER.map((r) => audio(`audio${r.nameModifier}`, r.audioBitrate));
  // MediaPackage output group outputs have no NameModifier field: MediaLive uses the output name.
  const packageOutputs: Output[] = LADDER.map((r) => ({
    OutputName: r.nameModifier,
    VideoDescriptionName: `video${r.nameModifier}`,
    AudioDescriptionNames: [`audio${r.nameModifier}`],
    OutputSettings: { MediaPackageOutputSettings: {} },
  }));

  const archiveVideo = `video_archive${ARCHIVE_NAME_MODIFIER}`;
  const archiveAudio = `audio_archive${ARCHIVE_NAME_MODIFIER}`;
  videos.push(
    video(archiveVideo, ARCHIVE_RENDITION.width, ARCHIVE_RENDITION.height, {
      RateControlMode: 'QVBR',
      MaxBitrate: ARCHIVE_RENDITION.maxBitrate,
      Profile: ARCHIVE_RENDITION.profile,
      Level: ARCHIVE_RENDITION.level,
    }),
  );
  audios.push(audio(archiveAudio, ARCHIVE_RENDITION.audioBitrate));

  return {
    // RTMP carries no timecode; the system clock (UTC) also lets clips map wall time to files.
    TimecodeConfig: { Source: 'SYSTEMCLOCK' },
    // The newest picture of each pipeline for DescribeThumbnails (the console's previews): AUTO
    // turns the feature on (API model: ThumbnailConfiguration.State, AUTO | DISABLED).
    ThumbnailConfiguration: { State: 'AUTO' },
    VideoDescriptions: videos,
    AudioDescriptions: audios,
    OutputGroups: [
      {
        Name: 'mediapackage',
        OutputGroupSettings: {
          MediaPackageGroupSettings: { Destination: { DestinationRefId: DESTINATION_IDS.mediaPackage } },
        },
        Outputs: packageOutputs,
      },
      {
        Name: 'archive',
        OutputGroupSettings: {
          ArchiveGroupSettings: {
            Destination: { DestinationRefId: DESTINATION_IDS.archive },
            RolloverInterval: spec.segmentLength,
          },
        },
        Outputs: [
          {
            OutputName: `archive${ARCHIVE_NAME_MODIFIER}`,
            VideoDescriptionName: archiveVideo,
            AudioDescriptionNames: [archiveAudio],
            OutputSettings: {
              ArchiveOutputSettings: {
                NameModifier: ARCHIVE_NAME_MODIFIER,
                Extension: ARCHIVE_EXTENSION,
                ContainerSettings: { M2tsSettings: {} },
              },
            },
          },
        ],
      },
      ...simulcastGroups(spec),
    ],
  };
}

type RateSettings = {
  RateControlMode: 'CBR' | 'QVBR';
  Bitrate?: number;
  MaxBitrate?: number;
  Profile: 'MAIN' | 'HIGH';
  Level: H264Level;
};

function video(name: string, width: number, height: number, rate: RateSettings): VideoDescription {
  return {
    Name: name,
    // The MediaPackage output group requires an explicit size, PAR and frame rate (MediaLive guide,
    // "MediaPackage output group: Streams section").
    Width: width,
    Height: height,
    ScalingBehavior: 'DEFAULT',
    RespondToAfd: 'NONE',
    Sharpness: 50,
    CodecSettings: {
      H264Settings: {
        ...rate,
        FramerateControl: 'SPECIFIED',
        FramerateNumerator: FRAME_RATE.numerator,
        FramerateDenominator: FRAME_RATE.denominator,
        ParControl: 'SPECIFIED',
        ParNumerator: 1,
        ParDenominator: 1,
        GopSize: GOP_FRAMES,
        GopSizeUnits: 'FRAMES',
        // 1 lets a player joining mid-stream decode at the next GOP; 0 breaks segmenting (API doc).
        GopClosedCadence: 1,
        GopNumBFrames: 2,
        ScanType: 'PROGRESSIVE',
        EntropyEncoding: 'CABAC',
        AdaptiveQuantization: 'AUTO',
        SceneChangeDetect: 'ENABLED',
        ColorMetadata: 'INSERT',
        TimecodeInsertion: 'DISABLED',
      },
    },
  };
}

function audio(name: string, bitrate: number): AudioDescription {
  return {
    Name: name,
    AudioSelectorName: AUDIO_SELECTOR,
    AudioTypeControl: 'FOLLOW_INPUT',
    LanguageCodeControl: 'FOLLOW_INPUT',
    CodecSettings: {
      AacSettings: {
        Bitrate: bitrate,
        CodingMode: 'CODING_MODE_2_0',
        InputType: 'NORMAL',
        Profile: 'LC',
        RateControlMode: 'CBR',
        RawFormat: 'NONE',
        SampleRate: 48_000,
        Spec: 'MPEG4',
      },
    },
  };
}

function assertValid(spec: ChannelSpec): void {
  const problems: FieldProblem[] = [];
  const nonEmpty = (field: keyof ChannelSpec, value: unknown) => {
    if (typeof value !== 'string' || value.trim() === '')
      problems.push({ field, reason: 'must be a non-empty string' });
  };
  nonEmpty('name', spec.name);
  nonEmpty('inputId', spec.inputId);
  nonEmpty('packageChannelId', spec.packageChannelId);
  nonEmpty('roleArn', spec.roleArn);
  if (typeof spec.roleArn === 'string' && spec.roleArn !== '' && !spec.roleArn.startsWith('arn:')) {
    problems.push({ field: 'roleArn', reason: 'must be an IAM role ARN' });
  }
  const pipelines = PIPELINES[spec.channelClass];
  if (pipelines === undefined) {
    problems.push({ field: 'channelClass', reason: 'must be STANDARD or SINGLE_PIPELINE' });
  } else if (!Array.isArray(spec.archiveUrls) || spec.archiveUrls.length !== pipelines) {
    problems.push({
      field: 'archiveUrls',
      reason: `a ${spec.channelClass} channel has ${pipelines} pipeline(s), so it needs ${pipelines} archive URL(s)`,
    });
  }
  if (Array.isArray(spec.archiveUrls)) {
    spec.archiveUrls.forEach((url, i) => {
      // MediaLive wants `s3ssl://bucket/folders/baseFilename`: a URL ending in `/` has no base filename.
      if (typeof url !== 'string' || !/^s3ssl:\/\/[^/]+\/.*[^/]$/.test(url)) {
        problems.push({
          field: `archiveUrls[${i}]`,
          reason: 'must be s3ssl://<bucket>/<path>/<base filename>',
        });
      }
    });
    if (new Set(spec.archiveUrls).size !== spec.archiveUrls.length) {
      problems.push({ field: 'archiveUrls', reason: 'the pipelines must write to different destinations' });
    }
  }
  (spec.destinations ?? []).forEach((d, i) => {
    if (!Array.isArray(d.urls) || d.urls.length !== pipelines)
      problems.push({
        field: `destinations[${i}].urls`,
        reason: `needs ${pipelines} URL(s), one per pipeline`,
      });
    if (!LADDER.some((r) => r.height === d.height))
      problems.push({
        field: `destinations[${i}].height`,
        reason: 'must be the height of a ladder rendition',
      });
  });
  if (!Number.isInteger(spec.segmentLength) || spec.segmentLength < 1) {
    problems.push({ field: 'segmentLength', reason: 'must be an integer number of seconds ≥ 1' });
  }
  if (problems.length > 0) throw new InvalidChannelSpec(problems);
}
