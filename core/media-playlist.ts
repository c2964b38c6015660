/**
 * The segments of an HLS media playlist (RFC 8216), each with its EXT-X-PROGRAM-DATE-TIME when one
 * precedes it: the origin's playlists (stream health) and the ones FFmpeg's HLS muxer writes (local
 * mode's encoder, to learn of each segment it closed).
 */

export interface MediaSegment {
  uri: string;
  duration: number;
  /** Epoch ms from `#EXT-X-PROGRAM-DATE-TIME`, when the playlist has one for this segment. */
  programDateTime?: number;
}

export function parseMediaPlaylist(text: string): MediaSegment[] {
  const segments: MediaSegment[] = [];
  let duration: number | undefined;
  let programDateTime: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) {
      duration = Number.parseFloat(line.slice('#EXTINF:'.length));
    } else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      // FFmpeg writes `+0000`, MediaPackage `Z`: Date.parse accepts both.
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
