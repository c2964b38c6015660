/** Reading the media playlists FFmpeg's HLS muxer writes, to learn of each segment it closed. */

export interface FfmpegSegment {
  uri: string;
  duration: number;
  /** Epoch ms from `#EXT-X-PROGRAM-DATE-TIME`, when FFmpeg wrote one. */
  programDateTime?: number;
}

export function parseFfmpegPlaylist(text: string): FfmpegSegment[] {
  const segments: FfmpegSegment[] = [];
  let duration: number | undefined;
  let programDateTime: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) {
      duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      // FFmpeg writes `+0000`, which Date.parse accepts.
      const parsed = Date.parse(line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length));
      programDateTime = Number.isNaN(parsed) ? undefined : parsed;
    } else if (line !== '' && !line.startsWith('#')) {
      if (duration !== undefined && Number.isFinite(duration)) {
        segments.push(
          programDateTime === undefined ? { uri: line, duration } : { uri: line, duration, programDateTime },
        );
      }
      duration = undefined;
      programDateTime = undefined;
    }
  }
  return segments;
}
