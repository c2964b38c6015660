/**
 * A simulcast push or an SRT listener whose FFmpeg cannot be spawned (process limit, binary gone)
 * reports it and goes on; it never ends local mode with an unhandled 'error' event.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SimulcastPusher } from '../../../../../infra/local/media/plane/simulcast-pusher.js';
import { SrtListener } from '../../../../../infra/local/media/plane/srt-ingest.js';

const MISSING = '/nonexistent/ffmpeg-for-this-test';

describe('an FFmpeg that cannot be spawned', () => {
  it('leaves a simulcast push FAILING with the reason, the key masked, and retried', async () => {
    const states: Array<[string, string]> = [];
    const pusher = new SimulcastPusher({
      ffmpeg: MISSING,
      name: 'sink',
      url: 'rtmp://127.0.0.1:1/app/secret-key-123',
      secret: 'secret-key-123',
      logger: () => {},
      retryMs: 50,
      onState: (state, message) => states.push([state, message]),
    });
    pusher.feed(new PassThrough());
    await expect.poll(() => states.length).toBeGreaterThan(0);
    await pusher.stop();
    expect(states[0]?.[0]).toBe('FAILING');
    expect(states[0]?.[1]).toContain('could not run FFmpeg');
    expect(states.flat().join(' ')).not.toContain('secret-key-123');
  });

  it('logs an SRT listener that could not start, passphrase masked', async () => {
    const lines: string[] = [];
    const listener = new SrtListener({
      ffmpeg: MISSING,
      host: '127.0.0.1',
      port: 9,
      passphrase: 'pass-phrase-0123456789',
      keyLength: 16,
      latencyMs: 2000,
      app: 'srt',
      name: 'probe',
      logger: (line) => lines.push(line),
      onReady: () => {},
      onUnpublish: () => {},
      relistenMs: 50,
    });
    listener.start();
    await expect.poll(() => lines.some((l) => l.includes('could not run FFmpeg'))).toBe(true);
    await listener.stop();
    expect(lines.join('\n')).not.toContain('pass-phrase-0123456789');
  });
});
