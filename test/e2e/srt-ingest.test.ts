/**
 * SRT ingest in local mode, end to end: a stream with an SRT_LISTENER input (its passphrase in the
 * local Secrets Manager, which the local MediaLive reads), pushed by FFmpeg as an SRT caller with
 * the record's srt1 URL, plays as HLS; a wrong passphrase and hostile datagrams are refused without
 * taking the listener down; the delete removes the secret.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalApp } from '../../infra/local/app.js';
import { eventually, ffprobe, push } from '../support/ffmpeg-push.js';
import { apiClient, startTestApp } from '../support/local-app.js';

const run = promisify(execFile);
let app: LocalApp & { dataDir: string };
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  app = await startTestApp();
  api = apiClient(app);
}, 120_000);
afterAll(async () => {
  await app?.close();
});

const secretNames = () => {
  try {
    return Object.keys(JSON.parse(readFileSync(path.join(app.dataDir, 'secrets', 'secrets.json'), 'utf8')));
  } catch {
    return [];
  }
};

/**
 * What a port scanner or a broken caller sends an SRT listener: random bytes, empty and oversized
 * datagrams, and control packets (first bit set) of every type with truncated or garbage bodies,
 * handshakes among them (control type 0), from several source ports.
 */
async function sendHostileDatagrams(target: URL): Promise<void> {
  const port = Number(target.port);
  const packets: Buffer[] = [Buffer.alloc(0), randomBytes(1), randomBytes(15), randomBytes(1500)];
  for (let i = 0; i < 400; i++) {
    const header = Buffer.alloc(16);
    header.writeUInt16BE(0x8000 | (i % 8), 0); // a control packet of type i % 8 (0: handshake)
    header.writeUInt32BE(i, 12); // destination socket id
    packets.push(Buffer.concat([header, randomBytes(i % 64)]), randomBytes(16 + (i % 200)));
  }
  for (let sender = 0; sender < 4; sender++) {
    const socket = createSocket('udp4');
    for (const packet of packets.slice(sender * 200, sender * 200 + 200)) {
      await new Promise<void>((resolve, reject) =>
        socket.send(packet, port, target.hostname, (error) => (error ? reject(error) : resolve())),
      );
    }
    socket.close();
  }
}

describe('SRT ingest, local mode', () => {
  it('gives an encrypted SRT URL, refuses a wrong passphrase, plays what an SRT caller pushes, and deletes the secret with the stream', async () => {
    const created = await api.call('POST', '/streams', {
      name: 'srt',
      channel_class: 'SINGLE_PIPELINE',
      segment_length: 10,
      input_type: 'SRT_LISTENER',
    });
    expect(created.status).toBe(202);
    const id = String(created.body.id);
    const idle = await api.waitForStatus(id, 'IDLE');
    expect(idle.input_type).toBe('SRT_LISTENER');
    expect(idle.rtmp1).toBeNull();
    expect(idle.srt1).toMatch(
      /^srt:\/\/127\.0\.0\.1:\d+\?passphrase=[0-9a-f]{32}&pbkeylen=16&latency=2000000$/,
    );
    expect(secretNames()).toEqual([`live-streams/srt/${id}`]);
    const listed = await api.call('GET', '/streams?limit=100');
    const passphrase = /passphrase=([0-9a-f]{32})/.exec(String(idle.srt1))?.[1] as string;
    expect(JSON.stringify(listed.body)).not.toContain(passphrase);

    await api.call('POST', `/streams/${id}/start`);
    const running = await api.waitForStatus(id, 'RUNNING');
    const srt1 = String(running.srt1);

    const wrong = push(srt1.replace(passphrase, 'f'.repeat(32)), { seconds: 5 });
    expect((await wrong.done).code).not.toBe(0);
    await sendHostileDatagrams(new URL(srt1));

    const pusher = push(srt1, { seconds: 60 });
    await eventually(async () => {
      const health = (await api.call('GET', `/streams/${id}/health`)).body as unknown as {
        pipelines: Array<{ input: { connected: boolean | null; video: { frame_rate: number | null } } }>;
      };
      const input = health.pipelines[0]?.input;
      return input?.connected && (input.video.frame_rate ?? 0) > 20 ? true : undefined;
    }, 'the SRT caller shown connected');

    // A segment made after the join decodes as the pushed 1280x720 picture, scaled by the ladder.
    const master = await (await fetch(String(running.viewer_endpoint))).text();
    const lines = master.split('\n');
    const rendition = lines[lines.findIndex((l) => l.includes('RESOLUTION=1280x720')) + 1] ?? '';
    const playlistUrl = new URL(rendition.trim(), String(running.viewer_endpoint)).toString();
    const first = await (await fetch(playlistUrl)).text();
    const seen = new Set(first.split('\n').filter((l) => l && !l.startsWith('#')));
    const fresh = await eventually(async () => {
      const text = await (await fetch(playlistUrl)).text();
      return text.split('\n').find((l) => l && !l.startsWith('#') && !seen.has(l));
    }, 'a new segment');
    const { stdout } = await run(ffprobe ?? 'ffprobe', [
      ...['-v', 'error', '-select_streams', 'v:0', '-count_frames'],
      ...[
        '-show_entries',
        'stream=height,nb_read_frames',
        '-of',
        'json',
        new URL(fresh, playlistUrl).toString(),
      ],
    ]);
    const [video] = (JSON.parse(stdout) as { streams: Array<{ height: number; nb_read_frames: string }> })
      .streams;
    expect(video?.height).toBe(720);
    expect(Number(video?.nb_read_frames)).toBeGreaterThan(60);

    pusher.child.kill('SIGKILL');
    await api.call('POST', `/streams/${id}/stop`);
    await api.waitForStatus(id, 'IDLE');
    await api.call('DELETE', `/streams/${id}`);
    await api.waitForStatus(id, 'GONE');
    expect(secretNames()).toEqual([]);
  }, 180_000);
});
