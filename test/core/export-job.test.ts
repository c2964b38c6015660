import { describe, expect, it } from 'vitest';
import {
  exportJobRequest,
  exportRange,
  framesOf,
  frameTimecode,
  nominalRate,
  timecodeFrame,
} from '../../core/export-job.js';
import { formatProblems, validateInput } from '../support/botocore-model.js';

const NTSC = { numerator: 30_000, denominator: 1001 };
const PAL = { numerator: 25, denominator: 1 };

const CLIP = {
  id: '0190a0b0c0d0e0f01234',
  stream_id: 'ABCDEF0123456789',
  requested: { start: 61.5, end: 75.25 },
  covered: { start: 60, end: 80 },
  playlist: { key: '2026/06/07/ABCDEF0123456789-1780819200/index_talk_0.m3u8', uri: 's3://b/k', segments: 2 },
};
const ITEM = {
  id: '0190a0b0c0d0e0f0aaaa',
  key: 'clip-exports/ABCDEF0123456789/0190a0b0c0d0e0f01234/0190a0b0c0d0e0f0aaaa.mp4',
};

describe('timecodes', () => {
  it('count frames in base 30 at 29.97 fps (non-drop-frame) and base 25 at 25 fps', () => {
    expect(nominalRate(NTSC)).toBe(30);
    expect(frameTimecode(0, NTSC)).toBe('00:00:00:00');
    expect(frameTimecode(29, NTSC)).toBe('00:00:00:29');
    expect(frameTimecode(30, NTSC)).toBe('00:00:01:00');
    expect(frameTimecode(30 * 3661 + 7, NTSC)).toBe('01:01:01:07');
    expect(frameTimecode(25 * 60, PAL)).toBe('00:01:00:00');
  });

  it('read back to the same frame, with either separator', () => {
    for (const n of [0, 1, 29, 30, 1799, 1800, 107_999, 2_591_999]) {
      expect(timecodeFrame(frameTimecode(n, NTSC), NTSC)).toBe(n);
    }
    expect(timecodeFrame('00:00:01;05', NTSC)).toBe(35);
  });

  it('refuse what a timecode cannot name', () => {
    expect(() => frameTimecode(-1, NTSC)).toThrow(RangeError);
    expect(() => frameTimecode(1.5, NTSC)).toThrow(RangeError);
    expect(() => frameTimecode(30 * 3600 * 25, NTSC)).toThrow(/24 hours/);
    expect(() => timecodeFrame('1:00:00:00', NTSC)).toThrow(RangeError);
  });
});

describe('framesOf', () => {
  it('takes the first frame at or after start and the last before end', () => {
    // 1 s × 29.97 = 29.97 → frame 30 is the first at or after 1 s; 5 s → 149.85, so 149 is the last before.
    expect(framesOf(1, 5, NTSC)).toEqual({ first: 30, last: 149 });
    expect(framesOf(0, 1, PAL)).toEqual({ first: 0, last: 24 });
    // A start on a frame's exact time keeps that frame, despite floating point.
    expect(framesOf(1001 / 30_000, 1, NTSC)).toEqual({ first: 1, last: 29 });
  });

  it('refuses a range holding no frame', () => {
    expect(() => framesOf(1.0005, 1.001, NTSC)).toThrow(RangeError);
  });
});

describe('exportJobRequest', () => {
  it('is a CreateJob request the MediaConvert API model accepts', () => {
    const request = exportJobRequest({
      clip: CLIP,
      item: ITEM,
      bucket: 'live-archive',
      roleArn: 'arn:aws:iam::000000000000:role/mc',
    });
    expect(formatProblems(validateInput('mediaconvert', 'CreateJob', request))).toBe(formatProblems([]));
  });

  it('clips the requested range by timecode from the playlist start, both timecodes included', () => {
    const request = exportJobRequest({
      clip: CLIP,
      item: ITEM,
      bucket: 'live-archive',
      roleArn: 'arn:aws:iam::0:role/mc',
    });
    const input = (request.Settings.Inputs as Array<Record<string, unknown>>)[0];
    expect(input).toMatchObject({
      FileInput: `s3://live-archive/${CLIP.playlist.key}`,
      TimecodeSource: 'ZEROBASED',
      // 1.5 s → frame 45 (44.955 rounds up); 15.25 s → 457.04 → the last frame before is 457.
      InputClippings: [{ StartTimecode: '00:00:01:15', EndTimecode: '00:00:15:07' }],
    });
    expect(JSON.stringify(request.Settings.OutputGroups)).toContain(
      `"Destination":"s3://live-archive/${ITEM.key.slice(0, -4)}"`,
    );
    expect(request.UserMetadata).toEqual({ stream_id: CLIP.stream_id, clip_id: CLIP.id, export_id: ITEM.id });
  });

  it('cuts within what the playlist covers when the request reaches past it', () => {
    expect(exportRange({ requested: { start: 10, end: 100 }, covered: { start: 20, end: 60 } })).toEqual({
      start: 20,
      end: 60,
    });
  });

  it('writes only under the exports prefix, as an .mp4', () => {
    const run = (key: string) =>
      exportJobRequest({
        clip: CLIP,
        item: { id: ITEM.id, key },
        bucket: 'b',
        roleArn: 'arn:aws:iam::0:role/mc',
      });
    expect(() => run('2026/06/07/x/_1/archive_1080p.000001.ts')).toThrow(RangeError);
    expect(() => run('clip-exports/a/b/c.mov')).toThrow(RangeError);
  });
});
