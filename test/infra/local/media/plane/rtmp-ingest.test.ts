import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../../../infra/local/ffmpeg.js';
import { type Publication, RtmpIngestServer } from '../../../../../infra/local/media/plane/rtmp-ingest.js';

const run = promisify(execFile);
const binaries = findFfmpeg();
const KEY = 'knownStreamKey0123456789abcdef';
const logs: string[] = [];
const ready: Publication[] = [];
const ended: Publication[] = [];
let server: RtmpIngestServer;
let port: number;
const pushers = new Set<ChildProcess>();

function push(key: string, seconds: number) {
  const child = spawn(
    binaries.ffmpeg,
    [
      ...['-hide_banner', '-loglevel', 'error', '-re'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine'],
      ...['-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'aac'],
      ...['-f', 'flv', `rtmp://127.0.0.1:${port}/live/${key}`],
    ],
    { stdio: 'ignore' },
  );
  pushers.add(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { exited, stop: () => child.kill('SIGTERM') };
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function probe(url: string): Promise<string[]> {
  const { stdout } = await run(binaries.ffprobe ?? 'ffprobe', [
    ...['-v', 'error', '-rw_timeout', '5000000', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', url],
  ]);
  return stdout.trim().split('\n').sort();
}

beforeAll(async () => {
  server = new RtmpIngestServer({
    host: '127.0.0.1',
    port: 0,
    admitPublish: (app, name) => (app === 'live' && name === KEY ? undefined : 'unknown stream key'),
    onReady: (publication) => ready.push(publication),
    onUnpublish: (publication) => ended.push(publication),
    logger: (line) => logs.push(line),
  });
  port = await server.listen();
});

afterAll(async () => {
  for (const pusher of pushers) pusher.kill('SIGKILL');
  await server.close();
});

describe('RtmpIngestServer', () => {
  it('admits a known stream key and feeds the encoder from a URL that does not contain the key', async () => {
    // Long enough to outlast the checks on a busy machine; stopped at the end.
    const pusher = push(KEY, 60);
    await until('the publication to be ready', () => ready.length > 0);
    const publication = ready[0]!;
    expect(publication).toMatchObject({ app: 'live', name: KEY, ready: true, hasAudio: true });
    expect(server.publication('live', KEY)).toBe(publication);

    const feed = server.encoderFeed(publication);
    expect(feed.url).not.toContain(KEY);
    expect(await probe(feed.url)).toEqual(['aac', 'h264']);

    expect(await push(KEY, 1).exited).not.toBe(0);
    expect(logs).toContainEqual(
      expect.stringMatching(/refused publish live\/know.*stream already has a publisher/),
    );

    pusher.stop();
    await pusher.exited;
    await until('the end of the publication', () => ended.includes(publication));
    expect(server.publication('live', KEY)).toBeUndefined();
    feed.release();
  }, 30_000);

  it('refuses anyone playing the ingest stream itself', async () => {
    const pusher = push(KEY, 60);
    await until('a publisher', () => server.publication('live', KEY)?.ready === true);
    await expect(probe(`rtmp://127.0.0.1:${port}/live/${KEY}`)).rejects.toThrow();
    expect(logs).toContainEqual(expect.stringMatching(/refused play live\/know.*not an encoder feed/));
    pusher.stop();
    await pusher.exited;
  }, 30_000);

  it('never writes a stream key in full to its log', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(KEY);
  });
});
