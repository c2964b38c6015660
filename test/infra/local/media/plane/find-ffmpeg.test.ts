// Tests infra/local/ffmpeg.ts; kept in this folder, the one this work owns.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FfmpegNotFound, findFfmpeg, x264Preset } from '../../../../../infra/local/ffmpeg.js';

describe('findFfmpeg', () => {
  it('uses FFMPEG_PATH first, with the ffprobe next to it', () => {
    const found = findFfmpeg();
    const resolved = found.ffmpeg.includes(path.sep) ? found.ffmpeg : '/usr/bin/ffmpeg';
    const chosen = findFfmpeg({ ...process.env, FFMPEG_PATH: resolved });
    expect(chosen.ffmpeg).toBe(resolved);
    if (chosen.ffprobe) expect(chosen.ffprobe).not.toBe('');
  });

  it('falls back to the npm static build, which has no ffprobe, when nothing is on PATH', () => {
    const found = findFfmpeg({ PATH: '', FFMPEG_PATH: '/nonexistent/ffmpeg' });
    expect(found.ffmpeg).toContain(`@ffmpeg-installer${path.sep}`);
    expect(found.ffprobe).toBeUndefined();
  });

  it('throws FfmpegNotFound naming what it tried when no binary runs', () => {
    const attempt = () =>
      findFfmpeg({ PATH: '', FFMPEG_PATH: '/nonexistent/ffmpeg' }, 'no-such-ffmpeg-package');
    expect(attempt).toThrow(FfmpegNotFound);
    expect(attempt).toThrow(/FFMPEG_PATH=\/nonexistent\/ffmpeg, ffmpeg on PATH, no-such-ffmpeg-package/);
  });
});

describe('x264Preset', () => {
  it('is ultrafast unless X264_PRESET says otherwise', () => {
    expect(x264Preset({})).toBe('ultrafast');
    expect(x264Preset({ X264_PRESET: 'superfast' })).toBe('superfast');
  });
});
