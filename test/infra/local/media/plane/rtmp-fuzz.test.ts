/**
 * The RTMP ingest under hostile input: a bounded, seeded fuzz run (malformed handshakes, broken AMF0
 * commands, bad chunks, abrupt closes), then a real FFmpeg publisher that must still be admitted
 * and readable by the encoder.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../../../infra/local/ffmpeg.js';
import { type Publication, RtmpIngestServer } from '../../../../../infra/local/media/plane/rtmp-ingest.js';
import { fuzzSession, publishes, runSession, seededRandom, validPublish } from './rtmp-fuzz-cases.js';

const binaries = findFfmpeg();
const SEED = 0x5eed1;
/** Sessions in the run: a count, not a duration, so the run is the same on any machine. */
const SESSIONS = 1_200;
const CONCURRENCY = 12;
/** Every this many sessions, a well-behaved publisher checks that the server still admits one. */
const PROBE_EVERY = 200;
const FUZZ_KEY = 'fuzzKnownKey0123456789abcdef';
const PROBE_KEY = 'probeKey0123456789abcdef0000';
const FFMPEG_KEY = 'ffmpegKey0123456789abcdef000';

const logs: string[] = [];
const ready: Publication[] = [];
const uncaught: unknown[] = [];
const rejections: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);
const onRejection = (reason: unknown) => rejections.push(reason);
let server: RtmpIngestServer;
let port: number;

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  server = new RtmpIngestServer({
    host: '127.0.0.1',
    port: 0,
    admitPublish: (app, name) =>
      app === 'live' && [FUZZ_KEY, PROBE_KEY, FFMPEG_KEY].includes(name) ? undefined : 'unknown stream key',
    onReady: (publication) => ready.push(publication),
    onUnpublish: () => {},
    logger: (line) => logs.push(line),
  });
  port = await server.listen();
});

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onRejection);
  await server.close();
});

describe('RTMP ingest under hostile input', () => {
  it(`survives ${SESSIONS} seeded hostile sessions, each contained to its own connection`, async () => {
    const random = seededRandom(SEED);
    const kinds = new Map<string, number>();
    const probes: boolean[] = [];
    let next = 0;
    const worker = async () => {
      while (next < SESSIONS) {
        const index = next++;
        const session = fuzzSession(random, 'live', FUZZ_KEY);
        kinds.set(session.kind, (kinds.get(session.kind) ?? 0) + 1);
        await runSession(port, session);
        if (index % PROBE_EVERY === PROBE_EVERY - 1)
          probes.push(await publishes(port, validPublish('live', PROBE_KEY)));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(`rtmp fuzz: ${SESSIONS} sessions, ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}`);

    expect(uncaught).toEqual([]);
    expect(rejections).toEqual([]);
    expect(probes).toEqual(Array.from({ length: SESSIONS / PROBE_EVERY }, () => true));
    // Contained failures were logged, one line each, never as this service's own error, and no
    // line carries a stream key.
    expect(logs.filter((line) => line.includes('closed the connection')).length).toBeGreaterThan(
      SESSIONS / 10,
    );
    expect(logs.filter((line) => line.includes('\n'))).toEqual([]);
    expect(logs.filter((line) => line.includes('internal error'))).toEqual([]);
    // Every throw the fuzz finds is fixed where it starts; the connection boundary is for the rest.
    expect(logs.filter((line) => line.includes('unexpected'))).toEqual([]);
    const all = logs.join('\n');
    for (const key of [FUZZ_KEY, PROBE_KEY]) expect(all).not.toContain(key);
    // Every hostile connection is gone: nothing publishes on the fuzzed key any more.
    await expect.poll(() => server.publication('live', FUZZ_KEY), { timeout: 5_000 }).toBeUndefined();
  }, 120_000);

  it('still admits a real FFmpeg publisher afterwards, whose packets reach a subscriber', async () => {
    const pusher = spawn(
      binaries.ffmpeg,
      [
        ...['-hide_banner', '-loglevel', 'error', '-re'],
        ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine'],
        ...['-t', '30', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'aac'],
        ...['-f', 'flv', `rtmp://127.0.0.1:${port}/live/${FFMPEG_KEY}`],
      ],
      { stdio: 'ignore' },
    );
    try {
      await expect
        .poll(() => ready.find((p) => p.name === FFMPEG_KEY), { timeout: 15_000, interval: 100 })
        .toBeDefined();
      const publication = ready.find((p) => p.name === FFMPEG_KEY)!;
      const kinds = new Set<string>();
      const unsubscribe = publication.subscribe((packet) => kinds.add(`${packet.type}/${packet.flags}`));
      // Video and audio sequence headers, a key frame, an AAC frame.
      await expect
        .poll(() => [...kinds].sort(), { timeout: 10_000, interval: 100 })
        .toEqual(expect.arrayContaining(['8/0', '8/1', '9/2', '9/3']));
      unsubscribe();
    } finally {
      pusher.kill('SIGKILL');
    }
    expect(uncaught).toEqual([]);
  }, 30_000);
});
