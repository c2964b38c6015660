/**
 * Simulcast in local mode, end to end: a stream with a destination pushes its rendition to a
 * second RTMP server on loopback (an FFmpeg listening with `-listen 1`), which records what arrives;
 * ffprobe decodes it. While that server is not there, health shows the destination failing.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalApp } from '../../infra/local/app.js';
import { eventually, ffmpeg, ffprobe, push } from '../support/ffmpeg-push.js';
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

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type Simulcast = Array<{ name: string; state: string; message: string | null }>;
const simulcastOf = async (id: string) =>
  (
    (await api.call('GET', `/streams/${id}/health`)).body as unknown as {
      pipelines: Array<{ simulcast: Simulcast }>;
    }
  ).pipelines[0]?.simulcast ?? [];

describe('simulcast, local mode', () => {
  it('pushes the chosen rendition to the destination, shows it failing while the destination is down, and reconnects', async () => {
    const port = await freePort();
    const created = await api.call('POST', '/streams', {
      name: 'simulcast',
      channel_class: 'SINGLE_PIPELINE',
      segment_length: 10,
      destinations: [
        { name: 'mirror', url: `rtmp://127.0.0.1:${port}/live`, stream_key: 'mirrorkey', rendition: '360p' },
      ],
    });
    expect(created.status).toBe(202);
    const id = String(created.body.id);
    await api.waitForStatus(id, 'IDLE');
    await api.call('POST', `/streams/${id}/start`);
    const running = await api.waitForStatus(id, 'RUNNING');
    const pusher = push(String(running.rtmp1), { seconds: 90 });

    const failing = await eventually(async () => {
      const [mirror] = await simulcastOf(id);
      return mirror?.state === 'FAILING' ? mirror : undefined;
    }, 'the destination shown failing');
    expect(failing.message).toMatch(/mirror/);
    expect(failing.message).not.toContain('mirrorkey');

    // The destination comes up: the channel reconnects and the rendition arrives.
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'simulcast-')), 'received.flv');
    const receiver = spawn(ffmpeg, [
      ...[
        '-hide_banner',
        '-loglevel',
        'error',
        '-listen',
        '1',
        '-i',
        `rtmp://127.0.0.1:${port}/live/mirrorkey`,
      ],
      ...['-t', '4', '-c', 'copy', '-y', out],
    ]);
    const received = new Promise<number | null>((resolve) => receiver.on('exit', resolve));
    expect(await received).toBe(0);
    const { stdout } = await run(ffprobe ?? 'ffprobe', [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=codec_name,height,nb_read_frames', '-of', 'json', out],
    ]);
    const [video] = (
      JSON.parse(stdout) as { streams: Array<{ codec_name: string; height: number; nb_read_frames: string }> }
    ).streams;
    expect(video?.codec_name).toBe('h264');
    expect(video?.height).toBe(360);
    expect(Number(video?.nb_read_frames)).toBeGreaterThan(30);

    pusher.child.kill('SIGKILL');
    await api.call('POST', `/streams/${id}/stop`);
    await api.waitForStatus(id, 'IDLE');
  }, 180_000);
});
