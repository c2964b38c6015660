import type { CreateChannelCommandInput, EncoderSettings, H264Settings } from '@aws-sdk/client-medialive';
import { describe, expect, it } from 'vitest';
import { archiveUrls, pipelinesOf } from '../../core/archive-naming.js';
import {
  ARCHIVE_EXTENSION,
  ARCHIVE_NAME_MODIFIER,
  buildCreateChannelInput,
  buildUpdateChannelInput,
  type ChannelClassName,
  type ChannelSpec,
  DESTINATION_IDS,
  InvalidChannelSpec,
  LADDER,
} from '../../core/encoder-profile.js';
import { DomainError } from '../../core/errors.js';
import { formatProblems, validateInput } from '../support/botocore-model.js';

const PREFIX = '2024/03/05/abc123-1709683199';

function spec(overrides: Partial<ChannelSpec> = {}): ChannelSpec {
  const channelClass: ChannelClassName = overrides.channelClass ?? 'STANDARD';
  return {
    name: 'stream-abc123',
    channelClass,
    inputId: '1234567',
    roleArn: 'arn:aws:iam::123456789012:role/MediaLiveAccessRole',
    packageChannelId: 'stream-abc123',
    segmentLength: 300,
    archiveUrls: archiveUrls('live-archive', PREFIX, pipelinesOf(channelClass)),
    ...overrides,
  };
}

function settings(input: { EncoderSettings?: EncoderSettings | undefined }): EncoderSettings {
  if (!input.EncoderSettings) throw new Error('no EncoderSettings');
  return input.EncoderSettings;
}

function group(input: CreateChannelCommandInput, name: string) {
  const found = settings(input).OutputGroups?.find((g) => g.Name === name);
  if (!found) throw new Error(`no output group ${name}`);
  return found;
}

function h264(input: CreateChannelCommandInput, videoName: string | undefined): H264Settings {
  const found = settings(input).VideoDescriptions?.find((v) => v.Name === videoName)?.CodecSettings
    ?.H264Settings;
  if (!found) throw new Error(`no H.264 video description ${videoName}`);
  return found;
}

function video(input: CreateChannelCommandInput, videoName: string | undefined) {
  const found = settings(input).VideoDescriptions?.find((v) => v.Name === videoName);
  if (!found) throw new Error(`no video description ${videoName}`);
  return found;
}

function audioBitrate(input: CreateChannelCommandInput, audioName: string | undefined): number | undefined {
  return settings(input).AudioDescriptions?.find((a) => a.Name === audioName)?.CodecSettings?.AacSettings
    ?.Bitrate;
}

describe('buildCreateChannelInput against the MediaLive API model', () => {
  it.each(['STANDARD', 'SINGLE_PIPELINE'] as const)(
    'builds a %s channel that CreateChannel accepts',
    (channelClass) => {
      const input = buildCreateChannelInput(
        spec({ channelClass, tags: { stream: 'abc123' }, requestId: 'req-1' }),
      );
      const problems = validateInput('medialive', 'CreateChannel', input);
      expect(problems, formatProblems(problems)).toEqual([]);
      expect(input.ChannelClass).toBe(channelClass);
    },
  );

  it('builds an update that UpdateChannel accepts, always with the role', () => {
    const input = buildUpdateChannelInput('9876543', spec());
    const problems = validateInput('medialive', 'UpdateChannel', input);
    expect(problems, formatProblems(problems)).toEqual([]);
    expect(input.ChannelId).toBe('9876543');
    expect(input.RoleArn).toBe('arn:aws:iam::123456789012:role/MediaLiveAccessRole');
  });

  it('is caught by the validator once a required member is missing or an enum is wrong', () => {
    const input = structuredClone(buildCreateChannelInput(spec()));
    delete settings(input).TimecodeConfig;
    const codec = settings(input).VideoDescriptions?.[1]?.CodecSettings?.H264Settings as Record<
      string,
      unknown
    >;
    codec.Level = 'H264_LEVEL_9';
    const problems = validateInput('medialive', 'CreateChannel', input);
    expect(problems.map((p) => [p.path, p.kind])).toEqual([
      ['EncoderSettings.TimecodeConfig', 'required'],
      ['EncoderSettings.VideoDescriptions[1].CodecSettings.H264Settings.Level', 'enum'],
    ]);
  });
});

describe('the HLS ladder sent to MediaPackage', () => {
  const input = buildCreateChannelInput(spec());
  const outputs = group(input, 'mediapackage').Outputs ?? [];

  it('has the seed table: resolutions, bitrates, profiles, levels and AAC bitrates', () => {
    const rows = outputs.map((o) => {
      const v = video(input, o.VideoDescriptionName);
      const codec = h264(input, o.VideoDescriptionName);
      return [
        `${v.Width}x${v.Height}`,
        codec.Bitrate,
        codec.Profile,
        codec.Level,
        codec.RateControlMode,
        audioBitrate(input, o.AudioDescriptionNames?.[0]),
      ];
    });
    expect(rows).toEqual([
      ['640x360', 800_000, 'MAIN', 'H264_LEVEL_AUTO', 'CBR', 64_000],
      ['960x540', 2_200_000, 'HIGH', 'H264_LEVEL_4_1', 'CBR', 96_000],
      ['1280x720', 4_700_000, 'HIGH', 'H264_LEVEL_4_1', 'CBR', 128_000],
      ['1920x1080', 8_000_000, 'HIGH', 'H264_LEVEL_4_1', 'CBR', 128_000],
    ]);
  });

  it('names every rendition after its real height and bitrate', () => {
    expect(outputs.map((o) => o.OutputName)).toEqual([
      '_360p800k',
      '_540p2200k',
      '_720p4700k',
      '_1080p8000k',
    ]);
    for (const r of LADDER) expect(r.nameModifier).toBe(`_${r.height}p${r.bitrate / 1000}k`);
    expect(LADDER.map((r) => r.nameModifier)).toEqual(outputs.map((o) => o.OutputName));
  });

  it('encodes 29.97 fps with closed 60-frame GOPs on every rendition', () => {
    for (const o of outputs) {
      const codec = h264(input, o.VideoDescriptionName);
      expect(codec).toMatchObject({
        FramerateControl: 'SPECIFIED',
        FramerateNumerator: 30_000,
        FramerateDenominator: 1_001,
        GopSize: 60,
        GopSizeUnits: 'FRAMES',
        GopClosedCadence: 1,
        ParControl: 'SPECIFIED',
      });
    }
  });

  it('sends to MediaPackage by channel id through a MediaPackage output group', () => {
    expect(group(input, 'mediapackage').OutputGroupSettings).toEqual({
      MediaPackageGroupSettings: { Destination: { DestinationRefId: DESTINATION_IDS.mediaPackage } },
    });
    expect(input.Destinations?.find((d) => d.Id === DESTINATION_IDS.mediaPackage)).toEqual({
      Id: 'mediapackage',
      MediaPackageSettings: [{ ChannelId: 'stream-abc123' }],
    });
    for (const o of outputs) expect(o.OutputSettings).toEqual({ MediaPackageOutputSettings: {} });
  });
});

describe('the archive output group', () => {
  it.each([300, 17, 1])('rolls files over every segment_length (%i s)', (segmentLength) => {
    const input = buildCreateChannelInput(spec({ segmentLength }));
    expect(group(input, 'archive').OutputGroupSettings?.ArchiveGroupSettings).toEqual({
      Destination: { DestinationRefId: DESTINATION_IDS.archive },
      RolloverInterval: segmentLength,
    });
  });

  it('records 1080p QVBR capped at 7 Mb/s in MPEG-TS files named _1080p.<counter>.ts', () => {
    const input = buildCreateChannelInput(spec());
    const [output, ...others] = group(input, 'archive').Outputs ?? [];
    expect(others).toEqual([]);
    expect(output?.OutputSettings?.ArchiveOutputSettings).toEqual({
      NameModifier: '_1080p',
      Extension: 'ts',
      ContainerSettings: { M2tsSettings: {} },
    });
    expect(ARCHIVE_NAME_MODIFIER).toBe('_1080p');
    expect(ARCHIVE_EXTENSION).toBe('ts');
    const v = video(input, output?.VideoDescriptionName);
    expect([v.Width, v.Height]).toEqual([1920, 1080]);
    const codec = h264(input, output?.VideoDescriptionName);
    expect(codec.RateControlMode).toBe('QVBR');
    expect(codec.MaxBitrate).toBe(7_000_000);
    expect(codec.Bitrate).toBeUndefined();
  });

  it.each(['STANDARD', 'SINGLE_PIPELINE'] as const)(
    'writes one archive destination per %s pipeline',
    (channelClass) => {
      const urls = archiveUrls('live-archive', PREFIX, pipelinesOf(channelClass));
      const input = buildCreateChannelInput(spec({ channelClass, archiveUrls: urls }));
      expect(input.Destinations?.find((d) => d.Id === DESTINATION_IDS.archive)).toEqual({
        Id: 'archive',
        Settings: urls.map((Url) => ({ Url })),
      });
    },
  );

  it('puts the new archive URLs in the update before a start', () => {
    const urls = archiveUrls('live-archive', '2024/03/06/abc123-1709769600', 2);
    const input = buildUpdateChannelInput('9876543', spec({ archiveUrls: urls }));
    expect(input.Destinations?.find((d) => d.Id === DESTINATION_IDS.archive)?.Settings).toEqual(
      urls.map((Url) => ({ Url })),
    );
  });
});

describe('the channel as a whole', () => {
  const input = buildCreateChannelInput(spec());
  const encoder = settings(input);

  it('gives each output its own video and audio description, and every description is used', () => {
    const outputs = (encoder.OutputGroups ?? []).flatMap((g) => g.Outputs ?? []);
    const videoNames = outputs.map((o) => o.VideoDescriptionName);
    const audioNames = outputs.flatMap((o) => o.AudioDescriptionNames ?? []);
    expect(outputs).toHaveLength(5);
    expect(new Set(videoNames).size).toBe(5);
    expect(new Set(audioNames).size).toBe(5);
    expect(videoNames.sort()).toEqual((encoder.VideoDescriptions ?? []).map((v) => v.Name).sort());
    expect(audioNames.sort()).toEqual((encoder.AudioDescriptions ?? []).map((a) => a.Name).sort());
  });

  it('attaches the RTMP input, with the audio selector every description refers to', () => {
    expect(input.InputAttachments).toEqual([
      {
        InputId: '1234567',
        InputAttachmentName: '1234567',
        InputSettings: { AudioSelectors: [{ Name: 'default' }], SourceEndBehavior: 'CONTINUE' },
      },
    ]);
    for (const a of encoder.AudioDescriptions ?? []) expect(a.AudioSelectorName).toBe('default');
    expect(input.InputSpecification).toEqual({
      Codec: 'AVC',
      MaximumBitrate: 'MAX_20_MBPS',
      Resolution: 'HD',
    });
  });

  it('passes tags and the idempotency token only when given', () => {
    expect(input).not.toHaveProperty('Tags');
    expect(input).not.toHaveProperty('RequestId');
    const tagged = buildCreateChannelInput(spec({ tags: { stream: 'abc123' }, requestId: 'exec-1' }));
    expect(tagged.Tags).toEqual({ stream: 'abc123' });
    expect(tagged.RequestId).toBe('exec-1');
  });

  it('returns a fresh object each time, so callers cannot corrupt the next channel', () => {
    const first = buildCreateChannelInput(spec());
    (first.InputSpecification as Record<string, unknown>).Resolution = 'UHD';
    expect(buildCreateChannelInput(spec()).InputSpecification?.Resolution).toBe('HD');
  });
});

function thrownBy(fn: () => unknown): InvalidChannelSpec {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidChannelSpec) return error;
    throw error;
  }
  throw new Error('expected InvalidChannelSpec, nothing was thrown');
}

describe('invalid channel specs', () => {
  const two = archiveUrls('live-archive', PREFIX, 2);

  it.each<[string, Partial<ChannelSpec>, string]>([
    [
      'a STANDARD channel with one archive URL',
      { channelClass: 'STANDARD', archiveUrls: two.slice(0, 1) },
      'archiveUrls',
    ],
    [
      'a SINGLE_PIPELINE channel with two archive URLs',
      { channelClass: 'SINGLE_PIPELINE', archiveUrls: two },
      'archiveUrls',
    ],
    ['the same URL for both pipelines', { archiveUrls: [two[0] ?? '', two[0] ?? ''] }, 'archiveUrls'],
    [
      'an archive URL without a base filename',
      { archiveUrls: ['s3ssl://b/x/', 's3ssl://b/y/'] },
      'archiveUrls[0]',
    ],
    ['an s3:// archive URL', { archiveUrls: ['s3://b/x/archive', 's3://b/y/archive'] }, 'archiveUrls[0]'],
    ['a segment length of 0', { segmentLength: 0 }, 'segmentLength'],
    ['a fractional segment length', { segmentLength: 1.5 }, 'segmentLength'],
    ['an empty role', { roleArn: '' }, 'roleArn'],
    ['a role that is not an ARN', { roleArn: 'MediaLiveAccessRole' }, 'roleArn'],
    ['an empty input id', { inputId: ' ' }, 'inputId'],
    ['an empty MediaPackage channel id', { packageChannelId: '' }, 'packageChannelId'],
    ['an unknown channel class', { channelClass: 'DUAL' as ChannelClassName }, 'channelClass'],
  ])('rejects %s with InvalidChannelSpec', (_, overrides, field) => {
    const bad = spec(overrides);
    expect(() => buildCreateChannelInput(bad)).toThrow(InvalidChannelSpec);
    expect(() => buildUpdateChannelInput('9876543', bad)).toThrow(InvalidChannelSpec);
    const error = thrownBy(() => buildCreateChannelInput(bad));
    expect(error).toBeInstanceOf(DomainError);
    expect(error.name).toBe('InvalidChannelSpec');
    expect(error.problems.map((p) => p.field)).toContain(field);
  });

  it('rejects an update without a channel id', () => {
    expect(() => buildUpdateChannelInput('', spec())).toThrow(InvalidChannelSpec);
  });
});

describe('thumbnails', () => {
  it('turns on MediaLive thumbnails (ThumbnailConfiguration AUTO) for DescribeThumbnails', () => {
    expect(buildCreateChannelInput(spec()).EncoderSettings?.ThumbnailConfiguration).toEqual({
      State: 'AUTO',
    });
  });
});

describe('simulcast destinations (RTMP output groups)', () => {
  const youtube = {
    name: 'youtube',
    urls: ['rtmp://a.rtmp.youtube.com/live2', 'rtmp://b.rtmp.youtube.com/live2?backup=1'],
    streamKey: 'abcd-efgh-ijkl',
    height: 720,
  };

  it('adds one RTMP output group per destination that CreateChannel and UpdateChannel accept', () => {
    const input = buildCreateChannelInput(
      spec({ destinations: [youtube, { ...youtube, name: 'twitch', height: 1080 }] }),
    );
    expect(formatProblems(validateInput('medialive', 'CreateChannel', input))).toBe('');
    const update = buildUpdateChannelInput('1234567', spec({ destinations: [youtube] }));
    expect(formatProblems(validateInput('medialive', 'UpdateChannel', update))).toBe('');
    const rtmp = group(input, 'simulcast0');
    expect(rtmp.OutputGroupSettings?.RtmpGroupSettings).toMatchObject({
      CacheFullBehavior: 'DISCONNECT_IMMEDIATELY',
    });
    expect(rtmp.Outputs?.[0]).toMatchObject({
      OutputName: 'simulcast youtube',
      VideoDescriptionName: 'video_720p4700k',
      AudioDescriptionNames: ['audio_720p4700k'],
      OutputSettings: { RtmpOutputSettings: { Destination: { DestinationRefId: 'simulcast0' } } },
    });
    expect(group(input, 'simulcast1').Outputs?.[0]?.VideoDescriptionName).toBe('video_1080p8000k');
  });

  it('shares the ladder encode: a destination adds no video description', () => {
    const without = buildCreateChannelInput(spec());
    const withOne = buildCreateChannelInput(spec({ destinations: [youtube] }));
    expect(settings(withOne).VideoDescriptions).toHaveLength(
      settings(without).VideoDescriptions?.length ?? 0,
    );
  });

  it('puts the key in StreamName, one setting per pipeline, never in the URL', () => {
    const input = buildCreateChannelInput(spec({ destinations: [youtube] }));
    expect(input.Destinations?.find((d) => d.Id === 'simulcast0')?.Settings).toEqual([
      { Url: 'rtmp://a.rtmp.youtube.com/live2', StreamName: 'abcd-efgh-ijkl' },
      { Url: 'rtmp://b.rtmp.youtube.com/live2?backup=1', StreamName: 'abcd-efgh-ijkl' },
    ]);
  });

  it('refuses a destination without one URL per pipeline', () => {
    expect(() =>
      buildCreateChannelInput(spec({ destinations: [{ ...youtube, urls: ['rtmp://x/y'] }] })),
    ).toThrow(/destinations\[0\]\.urls/);
  });
});
