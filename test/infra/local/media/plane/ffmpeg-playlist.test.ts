import { describe, expect, it } from 'vitest';
import { parseFfmpegPlaylist } from '../../../../../infra/local/media/plane/ffmpeg-playlist.js';

describe('parseFfmpegPlaylist', () => {
  it('reads each segment with its duration and program date-time', () => {
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
    expect(parseFfmpegPlaylist(text)).toEqual([
      { uri: 'run_00000.ts', duration: 2.002, programDateTime: Date.UTC(2026, 10, 23, 21, 38, 27, 242) },
      { uri: 'run_00001.ts', duration: 1.5 },
    ]);
  });

  it('ignores a URI without EXTINF (a playlist being rewritten)', () => {
    expect(parseFfmpegPlaylist('#EXTM3U\nstray.ts\n')).toEqual([]);
  });
});
