/**
 * Local end to end for schedules and status events: a schedule a few seconds ahead starts the
 * stream through the local Scheduler, the stop schedule stops it, GET /events shows each change in
 * order; the auto-stop guard stops a stream at its limit.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalApp } from '../../infra/local/app.js';
import { findFfmpeg } from '../../infra/local/ffmpeg.js';
import { apiClient, startTestApp } from '../support/local-app.js';

interface StatusEvent {
  'detail-type': string;
  detail: { stream_id: string; previous_status: string | null; status: string; reason: string | null };
}

let app: LocalApp & { dataDir: string };
let api: ReturnType<typeof apiClient>;
const events: StatusEvent[] = [];
const abort = new AbortController();

async function listen(): Promise<void> {
  const res = await fetch(`${app.apiUrl}/events`, {
    headers: { authorization: `Bearer ${app.token}` },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)) as StatusEvent);
          cut = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted at the end of the suite
    }
  })();
}

beforeAll(async () => {
  app = await startTestApp();
  api = apiClient(app);
  await listen();
}, 120_000);
afterAll(async () => {
  abort.abort();
  await app?.close();
});

const statusesOf = (id: string) =>
  events
    .filter((e) => e['detail-type'] === 'Stream Status Changed' && e.detail.stream_id === id)
    .map((e) => e.detail.status);

describe('schedules and status events in local mode', () => {
  it('starts the stream at its scheduled time and stops it at the stop time, each change on /events in order', async () => {
    const created = await api.call('POST', '/streams', { name: 'scheduled', segment_length: 10 });
    const id = String(created.body.id);
    await api.waitForStatus(id, 'IDLE');
    const startAt = new Date(Date.now() + 6_000);
    const stopAt = new Date(startAt.getTime() + 12_000);
    const scheduled = await api.call('POST', `/streams/${id}/schedule`, {
      start_at: startAt.toISOString(),
      stop_at: stopAt.toISOString(),
    });
    expect(scheduled.status).toBe(200);
    expect((await api.call('GET', `/streams/${id}`)).body.status).toBe('IDLE');

    const running = await api.waitForStatus(id, 'RUNNING', 40_000);
    expect(running.execution).toMatchObject({ action: 'start' });
    expect((running.schedule as { start_fired_at: string | null }).start_fired_at).not.toBeNull();
    console.log(
      `scheduled start fired ${Date.parse((running.schedule as { start_fired_at: string }).start_fired_at) - startAt.getTime()} ms after its time`,
    );

    const stopped = await api.waitForStatus(id, 'IDLE', 60_000);
    expect(stopped.started).toBe(false);
    expect((stopped.schedule as { stop_fired_at: string | null }).stop_fired_at).not.toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    expect(statusesOf(id)).toEqual(['CREATING', 'IDLE', 'STARTING', 'RUNNING', 'STOPPING', 'IDLE']);
  }, 120_000);

  it('stops a stream that runs past its max_duration_seconds and records why', async () => {
    const created = await api.call('POST', '/streams', { name: 'guarded', max_duration_seconds: 60 });
    const id = String(created.body.id);
    await api.waitForStatus(id, 'IDLE');
    await api.call('POST', `/streams/${id}/start`);
    const running = await api.waitForStatus(id, 'RUNNING');
    const startedAt = Number(running.last_started) * 1000;
    const stopped = await api.waitForStatus(id, 'IDLE', 120_000);
    expect(stopped.auto_stopped).toMatchObject({ reason: 'max_duration' });
    expect(Number(stopped.last_stopped) * 1000 - startedAt).toBeGreaterThanOrEqual(59_000);
    expect(statusesOf(id).slice(-2)).toEqual(['STOPPING', 'IDLE']);
  }, 180_000);

  it('stops a running stream whose input has been lost for stop_after_input_loss_seconds', async () => {
    const created = await api.call('POST', '/streams', {
      name: 'input loss',
      stop_after_input_loss_seconds: 30,
    });
    const id = String(created.body.id);
    await api.waitForStatus(id, 'IDLE');
    await api.call('POST', `/streams/${id}/start`);
    const running = await api.waitForStatus(id, 'RUNNING');
    // A short push: when it ends, the local MediaLive raises its input-loss alert.
    const pusher = spawn(findFfmpeg().ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=640x360:rate=30',
      '-t',
      '4',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '60',
      '-f',
      'flv',
      String(running.rtmp1),
    ]);
    expect(await new Promise((resolve) => pusher.on('exit', resolve))).toBe(0);
    const lostAt = Date.now();
    const stopped = await api.waitForStatus(id, 'IDLE', 90_000);
    expect(stopped.auto_stopped).toMatchObject({ reason: 'input_loss' });
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(25_000);
  }, 150_000);
});
