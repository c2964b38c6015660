/**
 * Health and thumbnails in local mode, end to end: the API's health route reads the local MediaLive
 * (DescribeChannel), the alerts the drift handler recorded from the media plane's input-loss alert,
 * and the local CloudWatch's metrics; the thumbnail route reads the local DescribeThumbnails, which
 * FFmpeg feeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalApp } from '../../infra/local/app.js';
import { eventually, push } from '../support/ffmpeg-push.js';
import { apiClient, startTestApp } from '../support/local-app.js';

let app: LocalApp & { dataDir: string };
let api: ReturnType<typeof apiClient>;
const busEvents: Array<{ 'detail-type': string; detail: Record<string, unknown> }> = [];

beforeAll(async () => {
  app = await startTestApp();
  api = apiClient(app);
  app.stack.events.subscribe(
    (event) => event.source === 'live-streaming',
    async (event) => {
      busEvents.push(event as (typeof busEvents)[number]);
    },
  );
}, 120_000);
afterAll(async () => {
  await app?.close();
});

type Health = {
  light: string;
  pipelines: Array<{
    input: {
      connected: boolean | null;
      since: string | null;
      video: { frame_rate: number | null; bitrate: number | null };
    };
    active_alerts: Array<{ type: string }>;
  }>;
  output: { newest_segment_age_seconds: number | null };
  session_alerts: Array<{ type: string; cleared_at: string | null }>;
};
const health = async (id: string) =>
  (await api.call('GET', `/streams/${id}/health`)).body as unknown as Health;

describe('stream health and thumbnails, local mode', () => {
  it('shows the input, its rates and a fresh thumbnail while pushed, then the input lost with its alert and a Stream Input Lost event', async () => {
    const created = await api.call('POST', '/streams', {
      name: 'health',
      channel_class: 'SINGLE_PIPELINE',
      segment_length: 10,
    });
    const id = String(created.body.id);
    await api.waitForStatus(id, 'IDLE');
    const off = await health(id);
    expect(off.light).toBe('off');
    const before = await fetch(`${app.apiUrl}/streams/${id}/thumbnail`, {
      headers: { authorization: `Bearer ${app.token}` },
    });
    expect(before.status).toBe(404);
    expect(((await before.json()) as { error: { code: string } }).error.code).toBe('ThumbnailNotAvailable');

    await api.call('POST', `/streams/${id}/start`);
    const running = await api.waitForStatus(id, 'RUNNING');
    const pusher = push(String(running.rtmp1), { seconds: 60 });

    const live = await eventually(async () => {
      const h = await health(id);
      const input = h.pipelines[0]?.input;
      return input?.connected &&
        (input.video.frame_rate ?? 0) > 0 &&
        h.output.newest_segment_age_seconds !== null
        ? h
        : undefined;
    }, 'health showing the input');
    expect(live.light).toBe('green');
    expect(live.pipelines[0]?.input.video.bitrate).toBeGreaterThan(100_000);
    expect(live.output.newest_segment_age_seconds).toBeLessThan(30);

    const thumbnail = await eventually(async () => {
      const res = await fetch(`${app.apiUrl}/streams/${id}/thumbnail?pipeline=0`, {
        headers: { authorization: `Bearer ${app.token}`, accept: 'image/jpeg' },
      });
      return res.status === 200 ? res : undefined;
    }, 'a thumbnail');
    expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await thumbnail.arrayBuffer());
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const taken = Date.parse(thumbnail.headers.get('x-thumbnail-time') ?? '');
    expect(Date.now() - taken).toBeLessThan(10_000);
    const badPipeline = await api.call('GET', `/streams/${id}/thumbnail?pipeline=1`);
    expect(badPipeline.status).toBe(400);

    pusher.child.kill('SIGKILL');
    const lost = await eventually(async () => {
      const h = await health(id);
      return h.pipelines[0]?.input.connected === false ? h : undefined;
    }, 'health showing the input lost');
    expect(lost.light).toBe('red');
    expect(lost.pipelines[0]?.active_alerts.map((a) => a.type)).toContain('Video Not Detected');
    expect(lost.session_alerts.some((a) => a.type === 'Video Not Detected' && a.cleared_at === null)).toBe(
      true,
    );
    await eventually(
      async () =>
        busEvents.some((e) => e['detail-type'] === 'Stream Input Lost' && e.detail.stream_id === id)
          ? true
          : undefined,
      'a Stream Input Lost event',
    );
    const event = busEvents.find((e) => e['detail-type'] === 'Stream Input Lost');
    expect(event?.detail).toMatchObject({ stream_id: id, pipeline: 0, input: 'LOST' });

    await api.call('POST', `/streams/${id}/stop`);
    await api.waitForStatus(id, 'IDLE');
  }, 180_000);
});
