/**
 * Local mode killed (SIGKILL: no shutdown code runs) while a create, a start, a delete and a
 * recording are under way, then started again on the same data: every stream reaches a truthful
 * status by itself, each can be started, stopped and deleted, and the recording has every archive
 * file up to the kill.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArchiveKey } from '../../core/archive-naming.js';
import { findFfmpeg } from '../../infra/local/ffmpeg.js';
import { PORT_VARIABLES } from '../../infra/local/settings.js';
import { apiClient } from '../support/local-app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEGMENT = 2;
const TRANSITIONAL = ['CREATING', 'STARTING', 'STOPPING', 'DELETING'];
const dataDir = mkdtempSync(path.join(tmpdir(), 'kill-restart-'));
let env: NodeJS.ProcessEnv;
let local: ChildProcess | undefined;
let pusher: ChildProcess | undefined;
let api: ReturnType<typeof apiClient>;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `npm start` in a process of its own, on the test's ports and data. */
async function startLocalMode(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  local = child;
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
  });
  child.stderr?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-20_000);
  });
  const url = `http://127.0.0.1:${env.PORT}/health`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`local mode exited (${child.exitCode}):\n${output}`);
    const up = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const token = readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
  api = apiClient({ apiUrl: `http://127.0.0.1:${env.PORT}`, token });
}

async function kill(): Promise<void> {
  const child = local;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const streamOf = async (id: string) => (await api.call('GET', `/streams/${id}`)).body;

async function untilStatus(
  id: string,
  accept: (status: string) => boolean,
  timeoutMs = 120_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let status = '';
  let body: unknown;
  while (Date.now() < deadline) {
    const answer = await api.call('GET', `/streams/${id}`);
    status = answer.status === 404 ? 'GONE' : String(answer.body.status);
    body = answer.body;
    if (accept(status)) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`stream ${id} is still ${status}: ${JSON.stringify(body)}`);
}

beforeAll(async () => {
  // Ports chosen up front, so that the restart comes back on the same ones (the inputs' RTMP URLs
  // name the port). Another test process may take one between the choice and the bind: then the
  // first start says so, and a new choice is made.
  for (let attempt = 1; ; attempt++) {
    env = { ...process.env, DATA_DIR: dataDir };
    for (const variable of Object.values(PORT_VARIABLES)) env[variable] = String(await freePort());
    try {
      await startLocalMode();
      return;
    } catch (error) {
      if (attempt === 3 || !String(error).includes('is in use')) throw error;
    }
  }
}, 240_000);

afterAll(async () => {
  pusher?.kill('SIGKILL');
  await kill();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local mode killed during a create, a start, a delete and a recording', () => {
  it('brings every stream to a truthful status after a restart, each usable, no archive file lost', async () => {
    const create = (name: string) => api.call('POST', '/streams', { name, segment_length: SEGMENT });
    const idle = async (name: string) => {
      const id = String((await create(name)).body.id);
      await api.waitForStatus(id, 'IDLE');
      return id;
    };
    const toStart = await idle('start cut short');
    const toDelete = await idle('delete cut short');
    const recording = await idle('recording cut short');
    await api.call('POST', `/streams/${recording}/start`);
    const running = await api.waitForStatus(recording, 'RUNNING');
    const { ffmpeg } = findFfmpeg();
    pusher = spawn(ffmpeg, [
      ...'-hide_banner -loglevel error -re -f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine -c:v libx264 -preset ultrafast -g 30 -c:a aac -f flv'.split(
        ' ',
      ),
      String(running.rtmp1),
    ]);
    // Several archive files recorded, one being written.
    await new Promise((r) => setTimeout(r, 5 * SEGMENT * 1000 + 500));

    const toCreate = String((await create('create cut short')).body.id);
    expect((await api.call('POST', `/streams/${toStart}/start`)).status).toBe(202);
    expect((await api.call('DELETE', `/streams/${toDelete}`)).status).toBe(202);
    const states = await Promise.all(
      [toCreate, toStart, toDelete].map(async (id) => String((await streamOf(id)).status)),
    );
    expect(states).toEqual(['CREATING', 'STARTING', 'DELETING']);
    const killedAt = Date.now();
    await kill();
    pusher.kill('SIGKILL');

    await startLocalMode();

    // Every stream leaves its transitional status by itself, for a truthful one.
    const settled = Object.fromEntries(
      await Promise.all(
        [toCreate, toStart, toDelete, recording].map(async (id) => [
          id,
          await untilStatus(id, (s) => !TRANSITIONAL.includes(s) && s !== 'RUNNING'),
        ]),
      ),
    );
    expect(settled[toCreate]).toBe('FAILED');
    expect(settled[toStart]).toBe('IDLE');
    expect(settled[toDelete]).toBe('FAILED');
    expect(settled[recording]).toBe('IDLE');
    for (const id of [toCreate, toStart, toDelete, recording]) {
      const stream = await streamOf(id);
      expect(stream.error, id).not.toBeNull();
    }

    // The recording's session ends when the channel stopped (the kill), not at the restart.
    const sessions = (await api.call('GET', `/streams/${recording}/sessions`)).body as Array<
      Record<string, string>
    >;
    const session = sessions.find((s) => s.id === running.current_session_id) as Record<string, string>;
    const stoppedAt = Date.parse(session.stopped_at as string);
    expect(Math.abs(stoppedAt - killedAt)).toBeLessThan(5_000);

    // No archive file is missing: pipeline 1's files run from 0 without a gap to the kill.
    const endpoints = JSON.parse(readFileSync(path.join(dataDir, 'local-endpoints.json'), 'utf8')) as {
      s3: string;
      region: string;
      credentials: { accessKeyId: string; secretAccessKey: string };
    };
    const s3 = new S3Client({
      endpoint: endpoints.s3,
      region: endpoints.region,
      credentials: endpoints.credentials,
      forcePathStyle: true,
    });
    const prefix = String(session.prefix);
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: 'live-archive', Prefix: `${prefix}/_1/` }),
    );
    s3.destroy();
    const counters = (listed.Contents ?? [])
      .map((o) => parseArchiveKey(o.Key ?? '')?.counter)
      .filter((c): c is number => c !== undefined)
      .sort((a, b) => a - b);
    const recordedSeconds = (stoppedAt - Date.parse(session.started_at as string)) / 1000;
    expect(counters).toEqual(counters.map((_, i) => i));
    expect(counters.length).toBeGreaterThanOrEqual(Math.floor(recordedSeconds / SEGMENT));

    // And every stream works again: started, stopped, deleted.
    for (const id of [toStart, recording]) {
      expect((await api.call('POST', `/streams/${id}/start`)).status).toBe(202);
      await api.waitForStatus(id, 'RUNNING');
      expect((await api.call('POST', `/streams/${id}/stop`)).status).toBe(202);
      await api.waitForStatus(id, 'IDLE');
    }
    for (const id of [toCreate, toStart, toDelete, recording]) {
      const answer = await api.call('DELETE', `/streams/${id}?force=true`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      expect(await untilStatus(id, (s) => s === 'GONE' || s === 'FAILED', 120_000)).toBe('GONE');
    }
  }, 300_000);
});
