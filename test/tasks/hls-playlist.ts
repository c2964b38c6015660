/**
 * Reads a VOD media playlist back and checks it against RFC 8216, so the clip tests assert what a
 * player relies on rather than a string snapshot.
 */
import { expect } from 'vitest';

export interface PlaylistSegment {
  duration: number;
  uri: string;
  discontinuity: boolean;
  programDateTime: string | null;
}

export interface ParsedPlaylist {
  version: number;
  targetDuration: number;
  mediaSequence: number;
  playlistType: string;
  segments: PlaylistSegment[];
}

/** Parses and asserts the RFC 8216 rules a clip playlist must keep; returns what it read. */
export function readVodPlaylist(text: string): ParsedPlaylist {
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines[0]).toBe('#EXTM3U');
  expect(lines.at(-1)).toBe('#EXT-X-ENDLIST');
  const tag = (name: string) => {
    const found = lines.filter((l) => l.startsWith(`#${name}:`));
    expect(found, `exactly one ${name}`).toHaveLength(1);
    return (found[0] ?? '').slice(name.length + 2);
  };
  const version = tag('EXT-X-VERSION');
  const target = tag('EXT-X-TARGETDURATION');
  const sequence = tag('EXT-X-MEDIA-SEQUENCE');
  // 4.3.3.1: a decimal-integer number of seconds.
  expect(target).toMatch(/^[0-9]+$/);
  expect(version).toMatch(/^[0-9]+$/);

  const segments: PlaylistSegment[] = [];
  let discontinuity = false;
  let programDateTime: string | null = null;
  for (let i = 1; i < lines.length - 1; i++) {
    const line = lines[i] ?? '';
    if (line === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      programDateTime = line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length);
      expect(Number.isNaN(Date.parse(programDateTime)), `${programDateTime} is a date`).toBe(false);
    } else if (line.startsWith('#EXTINF:')) {
      // 4.3.2.1: `#EXTINF:<duration>,[<title>]`; decimal floating point needs version 3 or more.
      const m = /^#EXTINF:([0-9]+(?:\.[0-9]+)?),$/.exec(line);
      expect(m, `${line} is an EXTINF`).not.toBeNull();
      const uri = lines[i + 1] ?? '';
      expect(uri.startsWith('#') || uri === '', `a URI follows ${line}`).toBe(false);
      segments.push({ duration: Number(m?.[1]), uri, discontinuity, programDateTime });
      discontinuity = false;
      programDateTime = null;
      i += 1;
    } else if (!line.startsWith('#EXT-X-') && line !== '') {
      throw new Error(`unexpected line ${JSON.stringify(line)}`);
    }
  }
  const parsed: ParsedPlaylist = {
    version: Number(version),
    targetDuration: Number(target),
    mediaSequence: Number(sequence),
    playlistType: tag('EXT-X-PLAYLIST-TYPE'),
    segments,
  };
  expect(parsed.version).toBeGreaterThanOrEqual(3);
  expect(parsed.playlistType).toBe('VOD');
  // 4.3.3.1: every EXTINF, rounded to the nearest integer, at most the target duration.
  for (const s of segments) expect(Math.round(s.duration)).toBeLessThanOrEqual(parsed.targetDuration);
  return parsed;
}
