import { describe, expect, it } from 'vitest';
import { type EncoderCommand, encoderArgs } from '../../../../../infra/local/media/plane/encoder-command.js';
import { planEncoding } from '../../../../../infra/local/media/plane/encoder-plan.js';
import { aChannel } from './channel-builder.js';

function command(overrides: Partial<EncoderCommand> = {}): EncoderCommand {
  return {
    plan: planEncoding(aChannel({ segmentSeconds: 2, rolloverSeconds: 4 })),
    preset: 'ultrafast',
    hlsDir: 'hls/pkg-1',
    runId: 'run1',
    archives: [{ dir: 'archive/1234567/run1/archive_1080p', startNumber: 7 }],
    ...overrides,
  };
}

function flagValue(args: string[], flag: string): string | undefined {
  return args[args.indexOf(flag) + 1];
}

describe('encoderArgs', () => {
  it('encodes each distinct video once and fans the encodes out with one tee muxer', () => {
    const args = encoderArgs(command());
    expect(args.filter((a) => a === '-map')).toHaveLength(4 + 3);
    expect(args[args.lastIndexOf('-f') + 1]).toBe('tee');
    const slaves = (args.at(-1) ?? '').split('|');
    expect(slaves).toHaveLength(5);
    expect(slaves[0]).toBe(
      "[f=hls:select=\\'v:0,a:0\\':hls_time=2:hls_list_size=20:" +
        'hls_flags=program_date_time+independent_segments+temp_file:' +
        'hls_segment_filename=hls/pkg-1/360p800k/run1_%05d.ts]hls/pkg-1/360p800k/live.m3u8',
    );
    expect(slaves[4]).toBe(
      "[f=segment:select=\\'v:3,a:2\\':segment_time=4:segment_format=mpegts:segment_start_number=7:" +
        'segment_list=archive/1234567/run1/archive_1080p/files.csv:segment_list_type=csv]' +
        'archive/1234567/run1/archive_1080p/%06d.ts',
    );
  });

  it('scales every rung from one split of the input at the channel frame rate', () => {
    const filters = flagValue(encoderArgs(command()), '-filter_complex');
    expect(filters).toContain('[0:v]split=4[src0][src1][src2][src3]');
    expect(filters).toContain('[src3]fps=30000/1001,scale=1920:1080:flags=bilinear,format=yuv420p[v3]');
  });

  it('forces key frames on the segment grid and never on scene cuts', () => {
    const args = encoderArgs(command());
    expect(flagValue(args, '-force_key_frames')).toBe('expr:gte(t,n_forced*2)');
    expect(flagValue(args, '-sc_threshold')).toBe('0');
    expect(flagValue(args, '-preset')).toBe('ultrafast');
    expect(flagValue(args, '-b:v:3')).toBe('8000k');
    expect(flagValue(args, '-g:v:0')).toBe('60');
    expect(flagValue(args, '-b:a:0')).toBe('64k');
  });

  it('reads the input relay as FLV on file descriptor 3, its audio for every audio encode', () => {
    const args = encoderArgs(command());
    expect(args.slice(args.indexOf('-i') - 4, args.indexOf('-i') + 2)).toEqual([
      '-f',
      'flv',
      '-analyzeduration',
      '500000',
      '-i',
      'pipe:3',
    ]);
    expect(args.filter((a) => a === '0:a:0')).toHaveLength(3);
    expect(args).not.toContain('-shortest');
  });

  it('refuses a folder that the tee syntax would need escaped', () => {
    expect(() => encoderArgs(command({ hlsDir: 'hls/a:b' }))).toThrow(/unsafe path/);
  });
});

describe('encoderArgs with thumbnails (ThumbnailConfiguration AUTO)', () => {
  const withThumbnails = () => {
    const plan = planEncoding(aChannel({ segmentSeconds: 2, rolloverSeconds: 4 }));
    return command({ plan: { ...plan, thumbnail: { height: 270, everySeconds: 2 } } });
  };

  it('adds a branch that picks one frame every 2 s before scaling it, and one JPEG file FFmpeg replaces atomically', () => {
    const args = encoderArgs(withThumbnails());
    const filters = flagValue(args, '-filter_complex') ?? '';
    expect(filters).toContain('[thumbsrc]fps=1/2,scale=-2:270:flags=bilinear,format=yuvj420p[thumb]');
    expect(filters).toMatch(/split=5/);
    expect(args.slice(-14)).toEqual([
      ...['-map', '[thumb]', '-an', '-c:v', 'mjpeg', '-q:v', '5'],
      ...['-f', 'image2', '-update', '1', '-atomic_writing', '1', 'thumbnails/1234567.jpg'],
    ]);
  });

  it('makes no thumbnail when the channel does not ask for them', () => {
    expect(encoderArgs(command())).not.toContain('mjpeg');
  });
});
