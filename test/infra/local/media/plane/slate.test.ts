import { describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../../../infra/local/ffmpeg.js';
import { slateFor } from '../../../../../infra/local/media/plane/slate.js';

const { ffmpeg } = findFfmpeg();

describe('slateFor', () => {
  it('encodes one GOP of the colour at the size and rate asked, and a silent AAC frame, once', async () => {
    const spec = { width: 320, height: 180, frameRate: { numerator: 25, denominator: 1 }, color: 'ff0000' };
    const slate = await slateFor(ffmpeg, spec);
    expect(slate.spec).toEqual(spec);
    // FLV tag bodies: an AVC sequence header, one second of frames, a key frame first, then no other.
    expect([...slate.videoHeader.subarray(0, 2)]).toEqual([0x17, 0x00]);
    expect(slate.videoFrames).toHaveLength(25);
    expect(slate.videoFrames.map((frame) => frame[0])).toEqual([0x17, ...Array(24).fill(0x27)]);
    // No B-frames: every composition time offset is 0.
    for (const frame of slate.videoFrames) expect(frame.readUIntBE(2, 3)).toBe(0);
    expect([...slate.audioHeader.subarray(0, 2)]).toEqual([0xaf, 0x00]);
    expect([...slate.silence.subarray(0, 2)]).toEqual([0xaf, 0x01]);
    expect(slate.sampleRate).toBe(48_000);
    expect(await slateFor(ffmpeg, { ...spec })).toBe(slate);
  });
});
