import { describe, expect, it } from 'vitest';
import {
  EncoderSettingsUnsupported,
  planEncoding,
} from '../../../../../infra/local/media/plane/encoder-plan.js';
import { aChannel } from './channel-builder.js';

describe('planEncoding', () => {
  it('reads the four renditions of the MediaPackage group with their bitrates, sizes and frame rate', () => {
    const plan = planEncoding(aChannel());
    expect(plan.renditions.map((r) => [r.name, `${r.width}x${r.height}`, r.bandwidth])).toEqual([
      ['360p800k', '640x360', 864_000],
      ['540p2200k', '960x540', 2_296_000],
      ['720p4700k', '1280x720', 4_828_000],
      ['1080p8000k', '1920x1080', 8_128_000],
    ]);
    expect(plan.renditions[0]?.frameRate).toBeCloseTo(29.97, 2);
    expect(plan.videos.map((v) => [v.bitrate, v.maxBitrate, v.gopFrames, v.profile, v.level])).toEqual([
      [800_000, 800_000, 60, 'main', '4.1'],
      [2_200_000, 2_200_000, 60, 'high', '4.1'],
      [4_700_000, 4_700_000, 60, 'high', '4.1'],
      [8_000_000, 8_000_000, 60, 'high', '4.1'],
    ]);
    expect(plan.packageChannelId).toBe('pkg-1');
  });

  it("encodes a black slate at the top rendition's size and rate while there is no input", () => {
    expect(planEncoding(aChannel()).slate).toEqual({
      width: 1920,
      height: 1080,
      frameRate: { numerator: 30_000, denominator: 1_001 },
      color: '000000',
    });
  });

  it("takes the slate's colour from the channel's InputLossBehavior, black for an image it cannot fetch", () => {
    const withLoss = (InputLossBehavior: Record<string, unknown>) => {
      const channel = aChannel();
      channel.encoderSettings.GlobalConfiguration = { InputLossBehavior };
      return planEncoding(channel).slate.color;
    };
    expect(withLoss({ InputLossImageType: 'COLOR', InputLossImageColor: '1A2B3C' })).toBe('1a2b3c');
    expect(withLoss({ InputLossImageColor: 'FFFFFF' })).toBe('ffffff');
    expect(withLoss({ InputLossImageType: 'SLATE', InputLossImageColor: 'FFFFFF' })).toBe('000000');
    expect(withLoss({ InputLossImageColor: 'red; rm -rf' })).toBe('000000');
  });

  it('reuses the ladder 1080p encode and its 128k audio for the archive instead of encoding again', () => {
    const plan = planEncoding(aChannel());
    expect(plan.videos).toHaveLength(4);
    expect(plan.audios.map((a) => a.bitrate)).toEqual([64_000, 96_000, 128_000]);
    expect(plan.archives).toEqual([
      {
        name: 'archive_1080p',
        video: 3,
        audio: 2,
        nameModifier: '_1080p',
        extension: 'ts',
        destinations: [
          's3ssl://archive-bucket/2026/11/23/ABC-1700000000/_1/archive',
          's3ssl://archive-bucket/2026/11/23/ABC-1700000000/_2/archive',
        ],
      },
    ]);
  });

  it('encodes the archive on its own when no rendition has its resolution', () => {
    const channel = aChannel();
    const archive = channel.encoderSettings.VideoDescriptions?.find((d) => d.Name === 'video_archive_1080p');
    if (!archive) throw new Error('builder changed');
    archive.Width = 1024;
    archive.Height = 576;
    const plan = planEncoding(channel);
    expect(plan.videos).toHaveLength(5);
    expect(plan.videos[4]).toMatchObject({ width: 1024, height: 576, maxBitrate: 7_000_000, crf: 24 });
    expect(plan.archives[0]?.video).toBe(4);
  });

  it('takes the segment length from MediaPackage V2 settings, else 6 s', () => {
    expect(planEncoding(aChannel({ segmentSeconds: 2 })).segmentSeconds).toBe(2);
    expect(planEncoding(aChannel()).segmentSeconds).toBe(6);
  });

  it('forces key frames on a period dividing both the segment length and the rollover interval', () => {
    expect(planEncoding(aChannel({ segmentSeconds: 2, rolloverSeconds: 4 })).keyframeSeconds).toBe(2);
    expect(planEncoding(aChannel({ segmentSeconds: 6, rolloverSeconds: 300 })).keyframeSeconds).toBe(6);
    expect(planEncoding(aChannel({ segmentSeconds: 6, rolloverSeconds: 10 })).keyframeSeconds).toBe(2);
  });

  it('reads a GOP given in seconds as frames at the output frame rate', () => {
    const channel = aChannel();
    const h264 = channel.encoderSettings.VideoDescriptions?.[0]?.CodecSettings?.H264Settings;
    if (!h264) throw new Error('builder changed');
    h264.GopSize = 2;
    h264.GopSizeUnits = 'SECONDS';
    expect(planEncoding(channel).videos[0]?.gopFrames).toBe(60);
  });

  it('rejects settings without a MediaPackage output group', () => {
    const channel = aChannel();
    channel.encoderSettings.OutputGroups = (channel.encoderSettings.OutputGroups ?? []).filter(
      (g) => !g.OutputGroupSettings?.MediaPackageGroupSettings,
    );
    expect(() => planEncoding(channel)).toThrow(EncoderSettingsUnsupported);
  });

  it('rejects a video description without a size', () => {
    const channel = aChannel();
    const first = channel.encoderSettings.VideoDescriptions?.[0];
    if (!first) throw new Error('builder changed');
    delete first.Width;
    expect(() => planEncoding(channel)).toThrow(/needs Width and Height/);
  });

  it('rejects a MediaPackage destination without a channel id', () => {
    const channel = aChannel();
    channel.destinations = channel.destinations.filter((d) => d.Id !== 'mediapackage');
    expect(() => planEncoding(channel)).toThrow(EncoderSettingsUnsupported);
  });
});

describe('planEncoding of RTMP output groups (simulcast)', () => {
  it("pushes the ladder's own encode of the rendition to pipeline 1's URL with the key appended", async () => {
    const { buildCreateChannelInput } = await import('../../../../../core/encoder-profile.js');
    const input = buildCreateChannelInput({
      name: 'live-x',
      channelClass: 'SINGLE_PIPELINE',
      inputId: '1234567',
      roleArn: 'arn:aws:iam::123456789012:role/ml',
      packageChannelId: 'pkg1',
      segmentLength: 10,
      archiveUrls: ['s3ssl://bucket/p/x_1'],
      destinations: [{ name: 'mirror', urls: ['rtmp://127.0.0.1:1936/live'], streamKey: 'k3y', height: 360 }],
    });
    const plan = planEncoding({
      id: '1234567',
      arn: 'arn:aws:medialive:us-east-1:000000000000:channel:1234567',
      name: 'live-x',
      channelClass: 'SINGLE_PIPELINE',
      encoderSettings: input.EncoderSettings as NonNullable<typeof input.EncoderSettings>,
      destinations: input.Destinations ?? [],
      inputIds: ['1234567'],
    });
    const lowest = plan.renditions[0];
    expect(plan.simulcast).toEqual([
      {
        name: 'simulcast mirror',
        video: lowest?.video,
        audio: lowest?.audio,
        url: 'rtmp://127.0.0.1:1936/live/k3y',
        secret: 'k3y',
        retrySeconds: 2,
      },
    ]);
    expect(plan.videos).toHaveLength(4);
    expect(plan.thumbnail).toEqual({ height: 270, everySeconds: 2 });
  });
});
