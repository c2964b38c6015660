import { describe, expect, it } from 'vitest';
import {
  EncoderProcess,
  formatProgress,
  parseProgress,
} from '../../../../../infra/local/media/plane/encoder-process.js';

/** A stand-in for FFmpeg: node running `script`. */
function fakeFfmpeg(script: string, logs: string[], bounds: { sigintAfterMs?: number } = {}) {
  return new EncoderProcess({
    ffmpeg: process.execPath,
    args: ['-e', script],
    cwd: process.cwd(),
    label: 'encoder test',
    logger: (line) => logs.push(line),
    progressLogMs: 1,
    ...bounds,
  });
}

async function started(logs: string[]): Promise<void> {
  while (!logs.some((line) => line.endsWith('ffmpeg: started'))) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const PROGRESS = 'frame=300\\nfps=29.9\\nout_time_us=10010000\\nspeed=1.02x\\nprogress=continue\\n';

describe('parseProgress', () => {
  it('reads frame, fps, speed and output time from a -progress block', () => {
    const progress = parseProgress(
      'frame=300\nfps=29.9\nout_time_us=10010000\nspeed=1.02x\nprogress=continue',
    );
    expect(progress).toEqual({ frame: 300, fps: 29.9, speed: 1.02, outTime: 10.01 });
    expect(formatProgress(progress)).toBe('speed=1.02x fps=29.9 frame=300 time=10.0s');
  });

  it('leaves out what FFmpeg reports as N/A', () => {
    expect(parseProgress('speed=N/A\nprogress=continue')).toEqual({});
  });
});

describe('EncoderProcess', () => {
  it('logs the encoder speed and stops on q, the way FFmpeg finishes its files', async () => {
    const logs: string[] = [];
    const encoder = fakeFfmpeg(
      `process.stdout.write('${PROGRESS}');
       console.error('started');
       process.stdin.on('data', (d) => { if (String(d).includes('q')) { console.error('closing files'); process.exit(0); } });`,
      logs,
    );
    await started(logs);
    const exit = await encoder.stop();
    expect(exit.code).toBe(0);
    expect(encoder.progress.speed).toBe(1.02);
    expect(logs).toContainEqual(
      expect.stringMatching(/^encoder test: speed=1.02x fps=29.9 frame=300 time=10.0s/),
    );
    expect(logs).toContain('encoder test: ffmpeg: closing files');
  });

  it('interrupts an encoder that does not read q (blocked on a stalled input)', async () => {
    const logs: string[] = [];
    const encoder = fakeFfmpeg(
      `process.on('SIGINT', () => process.exit(255)); console.error('started'); setInterval(() => {}, 1000);`,
      logs,
      { sigintAfterMs: 100 },
    );
    await started(logs);
    const exit = await encoder.stop();
    expect(exit.code).toBe(255);
  });
});
