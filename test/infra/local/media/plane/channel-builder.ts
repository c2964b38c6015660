/**
 * Test data for the media plane: a channel whose EncoderSettings look like the ones the workflow
 * gives MediaLive (the seed's 4-rung ladder to MediaPackage, a 1080p QVBR archive to S3), and an
 * in-memory control plane.
 */
import type { AudioDescription, OutputGroup, VideoDescription } from '@aws-sdk/client-medialive';
import type {
  ControlPlaneView,
  LocalChannel,
  LocalInput,
  LocalPackageChannel,
} from '../../../../../infra/local/media/contracts.js';

export const LADDER = [
  { name: '_360p800k', width: 640, height: 360, bitrate: 800_000, audio: 64_000, profile: 'MAIN' },
  { name: '_540p2200k', width: 960, height: 540, bitrate: 2_200_000, audio: 96_000, profile: 'HIGH' },
  { name: '_720p4700k', width: 1280, height: 720, bitrate: 4_700_000, audio: 128_000, profile: 'HIGH' },
  { name: '_1080p8000k', width: 1920, height: 1080, bitrate: 8_000_000, audio: 128_000, profile: 'HIGH' },
] as const;

function video(name: string, width: number, height: number, rate: Record<string, unknown>): VideoDescription {
  return {
    Name: name,
    Width: width,
    Height: height,
    CodecSettings: {
      H264Settings: {
        FramerateControl: 'SPECIFIED',
        FramerateNumerator: 30_000,
        FramerateDenominator: 1_001,
        GopSize: 60,
        GopSizeUnits: 'FRAMES',
        Level: 'H264_LEVEL_4_1',
        ...rate,
      },
    },
  };
}

function audio(name: string, bitrate: number): AudioDescription {
  return {
    Name: name,
    AudioSelectorName: 'default',
    CodecSettings: { AacSettings: { Bitrate: bitrate, CodingMode: 'CODING_MODE_2_0', SampleRate: 48_000 } },
  };
}

export interface ChannelOptions {
  id?: string;
  inputIds?: string[];
  packageChannelId?: string;
  /** HLS segment length; absent leaves MediaPackage's default (6 s). */
  segmentSeconds?: number;
  rolloverSeconds?: number;
  archiveUrls?: string[];
}

export function aChannel(options: ChannelOptions = {}): LocalChannel {
  const id = options.id ?? '1234567';
  const videos: VideoDescription[] = LADDER.map((r) =>
    video(`video${r.name}`, r.width, r.height, {
      RateControlMode: 'CBR',
      Bitrate: r.bitrate,
      Profile: r.profile,
    }),
  );
  videos.push(
    video('video_archive_1080p', 1920, 1080, {
      RateControlMode: 'QVBR',
      MaxBitrate: 7_000_000,
      Profile: 'HIGH',
    }),
  );
  const audios: AudioDescription[] = LADDER.map((r) => audio(`audio${r.name}`, r.audio));
  audios.push(audio('audio_archive_1080p', 128_000));
  const groups: OutputGroup[] = [
    {
      Name: 'mediapackage',
      OutputGroupSettings: {
        MediaPackageGroupSettings: {
          Destination: { DestinationRefId: 'mediapackage' },
          ...(options.segmentSeconds
            ? {
                MediapackageV2GroupSettings: {
                  SegmentLength: options.segmentSeconds,
                  SegmentLengthUnits: 'SECONDS',
                },
              }
            : {}),
        },
      },
      Outputs: LADDER.map((r) => ({
        OutputName: r.name,
        VideoDescriptionName: `video${r.name}`,
        AudioDescriptionNames: [`audio${r.name}`],
        OutputSettings: { MediaPackageOutputSettings: {} },
      })),
    },
    {
      Name: 'archive',
      OutputGroupSettings: {
        ArchiveGroupSettings: {
          Destination: { DestinationRefId: 'archive' },
          RolloverInterval: options.rolloverSeconds ?? 300,
        },
      },
      Outputs: [
        {
          OutputName: 'archive_1080p',
          VideoDescriptionName: 'video_archive_1080p',
          AudioDescriptionNames: ['audio_archive_1080p'],
          OutputSettings: {
            ArchiveOutputSettings: {
              NameModifier: '_1080p',
              Extension: 'ts',
              ContainerSettings: { M2tsSettings: {} },
            },
          },
        },
      ],
    },
  ];
  return {
    id,
    arn: `arn:aws:medialive:us-east-1:000000000000:channel:${id}`,
    name: 'test-channel',
    channelClass: 'STANDARD',
    encoderSettings: {
      TimecodeConfig: { Source: 'SYSTEMCLOCK' },
      VideoDescriptions: videos,
      AudioDescriptions: audios,
      OutputGroups: groups,
    },
    destinations: [
      { Id: 'mediapackage', MediaPackageSettings: [{ ChannelId: options.packageChannelId ?? 'pkg-1' }] },
      {
        Id: 'archive',
        Settings: (
          options.archiveUrls ?? [
            's3ssl://archive-bucket/2026/11/23/ABC-1700000000/_1/archive',
            's3ssl://archive-bucket/2026/11/23/ABC-1700000000/_2/archive',
          ]
        ).map((Url) => ({ Url })),
      },
    ],
    inputIds: options.inputIds ?? ['input-1'],
  };
}

/** A ControlPlaneView over plain maps, changed by the tests directly. */
export class FakeControlPlane implements ControlPlaneView {
  readonly inputs: LocalInput[] = [];
  readonly channels: LocalChannel[] = [];
  readonly packageChannels: LocalPackageChannel[] = [];
  readonly cdnHashes = new Set<string>();

  findInputByStreamName(app: string, streamName: string): LocalInput | undefined {
    return this.inputs.find((input) => input.streamNames.includes(`${app}/${streamName}`));
  }

  findRunningChannelForInput(inputId: string): LocalChannel | undefined {
    return this.channels.find((channel) => channel.inputIds.includes(inputId));
  }

  getPackageChannel(id: string): LocalPackageChannel | undefined {
    return this.packageChannels.find((channel) => channel.id === id);
  }

  findEndpointByHash(hash: string) {
    for (const channel of this.packageChannels) {
      for (const endpoint of channel.endpoints) {
        if (new URL(endpoint.url).pathname.split('/')[3] === hash) {
          return {
            channelId: channel.id,
            endpointId: endpoint.id,
            startoverWindowSeconds: endpoint.startoverWindowSeconds,
            manifestName: endpoint.manifestName,
          };
        }
      }
    }
    return undefined;
  }

  cdnServes(hash: string): boolean {
    return this.cdnHashes.has(hash);
  }
}
