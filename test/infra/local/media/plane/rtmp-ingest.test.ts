import { type ChildProcess, execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../../../infra/local/ffmpeg.js';
import type { RelayPacket } from '../../../../../infra/local/media/plane/input-relay.js';
import { type Publication, RtmpIngestServer } from '../../../../../infra/local/media/plane/rtmp-ingest.js';
import { amf, connect, createStream, handshake, message, publish, publishes } from './rtmp-fuzz-cases.js';

const run = promisify(execFile);
const binaries = findFfmpeg();
const KEY = 'knownStreamKey0123456789abcdef';
const OTHER_KEY = 'otherStreamKey0123456789abcdef';
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
    admitPublish: (app, name) =>
      app === 'live' && (name === KEY || name === OTHER_KEY) ? undefined : 'unknown stream key',
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
  it('admits a known stream key and hands its packets to a subscriber, sequence headers first', async () => {
    // Long enough to outlast the checks on a busy machine; stopped at the end.
    const pusher = push(KEY, 60);
    await until('the publication to be ready', () => ready.length > 0);
    const publication = ready[0]!;
    expect(publication).toMatchObject({ app: 'live', name: KEY, ready: true, hasAudio: true });
    expect(server.publication('live', KEY)).toBe(publication);

    const packets: RelayPacket[] = [];
    const received: string[] = [];
    const unsubscribe = publication.subscribe((packet) => {
      packets.push(packet);
      received.push(packet.data.toString('hex'));
    });
    await until(
      'a key frame and audio',
      () => packets.some((p) => p.flags === 3) && packets.some((p) => p.flags === 1),
    );
    expect(packets.slice(0, 2).map((p) => [p.type, p.flags])).toEqual([
      [9, 2],
      [8, 0],
    ]);
    expect(packets.find((p) => p.flags === 3)).toMatchObject({ type: 9, codecId: 7 });
    expect(packets.find((p) => p.flags === 1)).toMatchObject({ type: 8, codecId: 10 });
    // Each packet owns its bytes: the RTMP engine reuses its buffer, later packets change nothing.
    expect(packets.map((p) => p.data.toString('hex'))).toEqual(received);

    expect(await push(KEY, 1).exited).not.toBe(0);
    expect(logs).toContainEqual(
      expect.stringMatching(/refused publish live\/know.*stream already has a publisher/),
    );

    pusher.stop();
    await pusher.exited;
    await until('the end of the publication', () => ended.includes(publication));
    expect(server.publication('live', KEY)).toBeUndefined();
    const count = packets.length;
    unsubscribe();
    expect(publication.subscribe((packet) => packets.push(packet))).toBeTypeOf('function');
    expect(packets).toHaveLength(count);
  }, 30_000);

  it('refuses anyone playing the ingest stream itself', async () => {
    const pusher = push(KEY, 60);
    await until('a publisher', () => server.publication('live', KEY)?.ready === true);
    await expect(probe(`rtmp://127.0.0.1:${port}/live/${KEY}`)).rejects.toThrow();
    expect(logs).toContainEqual(expect.stringMatching(/refused play live\/know.*playing is not offered/));
    pusher.stop();
    await pusher.exited;
  }, 30_000);

  it('keeps a live publisher going while hostile connections fail, each closed with one log line', async () => {
    const pusher = push(KEY, 60);
    await until('a publisher', () => server.publication('live', KEY)?.ready === true);
    const publication = server.publication('live', KEY);
    const command = (values: Buffer[]) => message(Buffer.concat(values), { type: 20 });
    const cases: Array<[string, Buffer, RegExp]> = [
      [
        'publish without a stream name',
        Buffer.concat([handshake(), connect(), createStream(), publish(amf.nul)]),
        /publish without a valid stream name/,
      ],
      [
        'publish before connect',
        Buffer.concat([handshake(), publish(amf.str(OTHER_KEY))]),
        /publish before connect/,
      ],
      [
        'a handshake in RTMPE',
        Buffer.concat([Buffer.from([6]), handshake().subarray(1)]),
        /RTMP version 6, not 3/,
      ],
      [
        'a connect whose app is a number',
        Buffer.concat([
          handshake(),
          command([amf.str('connect'), amf.num(1), amf.obj([['app', amf.num(5)]])]),
        ]),
        /connect without an app name/,
      ],
      [
        'a command with an AMF3 marker in AMF0',
        Buffer.concat([handshake(), command([amf.str('connect'), amf.num(1), Buffer.from([0x11, 0x0a])])]),
        /unsupported AMF0 marker 0x11/,
      ],
      [
        'a 16 MB message announced before publishing',
        Buffer.concat([handshake(), message(Buffer.alloc(10), { cid: 5, type: 9, length: 0xffffff })]),
        /16777215-byte message of type 9, over the 65536 allowed/,
      ],
      [
        'a chunk size of 0',
        Buffer.concat([handshake(), message(Buffer.alloc(4), { cid: 2, type: 1 })]),
        /chunk size 0$/,
      ],
      [
        'a Set Chunk Size message without its value',
        // The engine handles an empty message when the next byte arrives: a connect follows.
        Buffer.concat([handshake(), message(Buffer.alloc(0), { cid: 2, type: 1 }), connect()]),
        /control message of type 1 under 4 bytes/,
      ],
    ];
    for (const [name, bytes, expected] of cases) {
      const before = logs.length;
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.on('error', () => {});
      socket.on('data', () => {});
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(bytes);
      await closed;
      const lines = logs.slice(before).filter((line) => line.includes('closed the connection'));
      expect(lines, name).toHaveLength(1);
      expect(lines[0], name).toMatch(expected);
    }
    expect(server.publication('live', KEY)).toBe(publication);
    expect(ended).not.toContain(publication);
    pusher.stop();
    await pusher.exited;
  }, 30_000);

  it('admits a publisher whose connect leaves tcUrl out', async () => {
    const withoutTcUrl = message(
      Buffer.concat([amf.str('connect'), amf.num(1), amf.obj([['app', amf.str('live')]])]),
      { type: 20 },
    );
    const bytes = Buffer.concat([handshake(), withoutTcUrl, createStream(), publish(amf.str(OTHER_KEY))]);
    expect(await publishes(port, bytes)).toBe(true);
  });

  it('never writes a stream key in full to its log', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(KEY);
    expect(logs.join('\n')).not.toContain(OTHER_KEY);
  });
});
