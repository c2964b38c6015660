import { describe, expect, it } from 'vitest';
import type { IndexedSegment } from '../../../../../infra/local/media/plane/hls-segment-index.js';
import {
  InvalidTimeShift,
  parseTimeShift,
  renderMasterPlaylist,
  renderMediaPlaylist,
  selectWindow,
} from '../../../../../infra/local/media/plane/origin-playlists.js';

const T0 = Date.UTC(2026, 10, 23, 10, 0, 0);

/** `count` 2 s segments from T0; a new run (discontinuity) starts at each index in `runStarts`. */
function segments(count: number, runStarts: number[] = []): IndexedSegment[] {
  let discontinuitySequence = 0;
  let run = 0;
  return Array.from({ length: count }, (_, seq) => {
    const discontinuity = runStarts.includes(seq);
    if (discontinuity) {
      discontinuitySequence += 1;
      run += 1;
    }
    return {
      seq,
      file: `r/${run}_${seq}.ts`,
      duration: 2,
      start: T0 + seq * 2000,
      run: String(run),
      discontinuity,
      discontinuitySequence,
    };
  });
}

describe('parseTimeShift', () => {
  it('reads epoch seconds and ISO 8601 date-times', () => {
    expect(parseTimeShift(new URLSearchParams('start=1700000000&end=2026-11-23T10:00:00Z'))).toEqual({
      start: 1_700_000_000_000,
      end: T0,
    });
  });

  it('is undefined for a live request', () => {
    expect(parseTimeShift(new URLSearchParams('m=123'))).toBeUndefined();
  });

  it('rejects an unreadable time and a start after the end', () => {
    expect(() => parseTimeShift(new URLSearchParams('start=yesterday'))).toThrow(InvalidTimeShift);
    expect(() => parseTimeShift(new URLSearchParams('start=20&end=10'))).toThrow(/before end/);
  });
});

describe('selectWindow', () => {
  it('lists the last 60 s for a live request', () => {
    const window = selectWindow(segments(100), undefined, T0 + 200_000, 0);
    expect(window.segments.map((s) => s.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 70 + i));
    expect(window.ended).toBe(false);
  });

  it('lists every segment overlapping [start, end) and closes the playlist when end is past', () => {
    const window = selectWindow(segments(100), { start: T0 + 3000, end: T0 + 9000 }, T0 + 200_000, 0);
    expect(window.segments.map((s) => s.seq)).toEqual([1, 2, 3, 4]);
    expect(window.ended).toBe(true);
  });

  it('runs a start-only window to the live edge, still open', () => {
    const window = selectWindow(segments(10), { start: T0 + 15_000 }, T0 + 20_000, 0);
    expect(window.segments.map((s) => s.seq)).toEqual([7, 8, 9]);
    expect(window.ended).toBe(false);
  });

  it('never rewinds past the endpoint startover window', () => {
    const window = selectWindow(segments(10), { start: T0 }, T0 + 20_000, T0 + 14_000);
    expect(window.segments[0]?.seq).toBe(7);
  });
});

describe('renderMediaPlaylist', () => {
  it('writes RFC 8216 media playlists with sequence numbers and discontinuities that survive the window sliding', () => {
    const all = segments(6, [3]);
    const text = renderMediaPlaylist(
      { segments: all.slice(2), ended: false },
      2,
      (s) => `index_1_${s.seq}.ts`,
    );
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:2',
        '#EXT-X-MEDIA-SEQUENCE:2',
        '#EXT-X-DISCONTINUITY-SEQUENCE:0',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T10:00:04.000Z',
        '#EXTINF:2.000,',
        'index_1_2.ts',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T10:00:06.000Z',
        '#EXTINF:2.000,',
        'index_1_3.ts',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T10:00:08.000Z',
        '#EXTINF:2.000,',
        'index_1_4.ts',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T10:00:10.000Z',
        '#EXTINF:2.000,',
        'index_1_5.ts',
        '',
      ].join('\n'),
    );
    const slid = renderMediaPlaylist({ segments: all.slice(3), ended: false }, 2, (s) => `${s.seq}.ts`);
    expect(slid).toContain('#EXT-X-DISCONTINUITY-SEQUENCE:1');
    expect(slid).not.toContain('#EXT-X-DISCONTINUITY\n');
  });

  it('raises the target duration to the longest rounded segment and closes a VOD window', () => {
    const long = { ...segments(1)[0]!, duration: 4.6 };
    const text = renderMediaPlaylist({ segments: [long], ended: true }, 2, () => 'a.ts');
    expect(text).toContain('#EXT-X-TARGETDURATION:5');
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(text.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
  });
});

describe('renderMasterPlaylist', () => {
  it('lists every rendition with BANDWIDTH, RESOLUTION and FRAME-RATE', () => {
    const text = renderMasterPlaylist(
      [
        { name: 'a', bandwidth: 864_000, width: 640, height: 360, frameRate: 30_000 / 1_001 },
        { name: 'b', bandwidth: 8_128_000, width: 1920, height: 1080 },
      ],
      (i) => `index_${i + 1}.m3u8`,
    );
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=864000,RESOLUTION=640x360,FRAME-RATE=29.970',
        'index_1.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=8128000,RESOLUTION=1920x1080',
        'index_2.m3u8',
        '',
      ].join('\n'),
    );
  });
});
