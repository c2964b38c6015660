import { describe, expect, it } from 'vitest';
import { parseMediaPlaylist } from '../../core/media-playlist.js';

describe('parseMediaPlaylist', () => {
  it('reads each segment with its duration and program date-time, as FFmpeg writes them', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXTINF:2.002000,',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T21:38:27.242+0000',
      'run_00000.ts',
      '#EXTINF:1.500000,',
      'run_00001.ts',
      '',
    ].join('\n');
    expect(parseMediaPlaylist(text)).toEqual([
      { uri: 'run_00000.ts', duration: 2.002, programDateTime: Date.UTC(2026, 10, 23, 21, 38, 27, 242) },
      { uri: 'run_00001.ts', duration: 1.5 },
    ]);
  });

  it('reads the date-time before EXTINF too, as MediaPackage writes it', () => {
    const text = [
      '#EXTM3U',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T21:38:27.242Z',
      '#EXTINF:6.006,',
      'index_1_100.ts?m=1',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T21:38:33.248Z',
      '#EXTINF:6.006,',
      'index_1_101.ts?m=1',
    ].join('\n');
    expect(parseMediaPlaylist(text).map((s) => [s.uri, s.programDateTime])).toEqual([
      ['index_1_100.ts?m=1', Date.UTC(2026, 10, 23, 21, 38, 27, 242)],
      ['index_1_101.ts?m=1', Date.UTC(2026, 10, 23, 21, 38, 33, 248)],
    ]);
  });

  it('ignores a URI without EXTINF (a playlist being rewritten)', () => {
    expect(parseMediaPlaylist('#EXTM3U\nstray.ts\n')).toEqual([]);
  });
});
