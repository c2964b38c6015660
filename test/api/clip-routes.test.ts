/**
 * The clip routes through the real API handler: clip records on dynalite, the archive on a local
 * S3 (s3rver) so playlists are read, segment URLs presigned and fetched, objects deleted for real;
 * Step Functions mocked (the ExportClip execution itself is the workflow tests' and e2e's).
 */
import 'aws-sdk-client-mock-vitest/extend';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ExecutionLimitExceeded, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHandler, createApi } from '../../api/app.js';
import { ArchiveAccess } from '../../api/archive-access.js';
import { PLAYBACK_LINK_SECONDS } from '../../api/clip-links.js';
import { DynamoIdempotencyStore } from '../../api/idempotency.js';
import { SfnWorkflowStarter } from '../../api/workflow-starter.js';
import { type ClipExport, type ClipRecord, exportKey, newSigningKey, newTimeId } from '../../core/clip.js';
import { ClipStore } from '../../core/clip-store.js';
import type { RecordingSession, StreamRecord } from '../../core/stream.js';
import { StreamStore } from '../../core/stream-store.js';
import { newCredentials } from '../../infra/local/aws-server/credentials.js';
import type { Served } from '../../infra/local/aws-server/server.js';
import { serveS3rver } from '../../infra/local/aws-server/stores.js';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS } from '../support/dynalite.js';
import {
  type Answer,
  aKeyedStream,
  apiEvent,
  DEFAULT_CONFIG,
  expectErrorShape,
  MACHINES,
  readAnswer,
  SPLIT_MACHINE,
} from './api-harness.js';

const BUCKET = 'live-archive';
const EXPORT_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:ExportClip';
const credentials = newCredentials();
let db: LocalDynamo;
let s3rver: Served;
let s3: S3Client;
let store: StreamStore;
let clips: ClipStore;
let handler: ApiHandler;
let withoutExports: ApiHandler;
let now = new Date('2026-06-07T10:00:00.000Z');
const sfnClient = new SFNClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS });
const sfn = mockClient(sfnClient);

beforeAll(async () => {
  db = await startDynalite(`clips-api-${process.pid}`);
  s3rver = await serveS3rver({
    port: 0,
    credentials,
    directory: mkdtempSync(path.join(tmpdir(), 'clips-api-s3-')),
    buckets: [BUCKET],
    cors: true,
  });
  s3 = new S3Client({
    endpoint: s3rver.url,
    region: 'us-east-1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    credentials,
  });
  store = new StreamStore(db.doc, db.tableName, () => now);
  clips = new ClipStore(db.doc, db.tableName, () => now);
  const base = {
    store,
    clips,
    // Presigned URLs are checked by the local S3 against the real clock.
    archive: new ArchiveAccess(s3, BUCKET),
    idempotency: new DynamoIdempotencyStore(db.doc, db.tableName),
    logger: new Logger({ serviceName: 'clip-routes-test', logLevel: 'CRITICAL' }),
    config: DEFAULT_CONFIG,
    now: () => now,
  };
  handler = createApi({
    ...base,
    workflows: new SfnWorkflowStarter(sfnClient, MACHINES, SPLIT_MACHINE, EXPORT_MACHINE),
  });
  withoutExports = createApi({
    ...base,
    workflows: new SfnWorkflowStarter(sfnClient, MACHINES, SPLIT_MACHINE),
  });
}, 60_000);
afterAll(async () => {
  s3.destroy();
  await s3rver?.close();
  await db?.close();
});
beforeEach(() => {
  now = new Date('2026-06-07T10:00:00.000Z');
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn', startDate: new Date() });
});

const call = async (
  method: string,
  route: string,
  options: Parameters<typeof apiEvent>[2] = {},
  h = handler,
) => readAnswer(await h(apiEvent(method, route, { headers: { host: 'api.example' }, ...options })));

const SESSION_STARTED = '2026-06-07T09:00:00.000Z';
function aSession(streamId: string, overrides: Partial<RecordingSession> = {}): RecordingSession {
  const id = overrides.id ?? '1780822800';
  const prefix = `2026/06/07/${streamId}-${id}`;
  return {
    id,
    prefix,
    uri: `s3://${BUCKET}/${prefix}`,
    started_at: SESSION_STARTED,
    stopped_at: null,
    segment_length: 10,
    channel_class: 'SINGLE_PIPELINE',
    ...overrides,
  };
}

/** A clip of `session` and its playlist over two archive files, both in the local S3. */
async function aClip(
  stream: Pick<StreamRecord, 'id'>,
  session: RecordingSession,
  overrides: Partial<ClipRecord> = {},
): Promise<ClipRecord> {
  // Each clip a second after the last: ids sort by creation.
  now = new Date(now.getTime() + 1000);
  const id = newTimeId(now);
  const name = overrides.name ?? `talk_${id.slice(-4)}`;
  const key = `${session.prefix}/index_${name}.m3u8`;
  const record: ClipRecord = {
    id,
    stream_id: stream.id,
    session_id: session.id,
    name,
    requested: { start: 12, end: 25 },
    covered: { start: 10, end: 30 },
    missing: [],
    not_available_yet: null,
    created_at: now.toISOString(),
    session_started_at: session.started_at,
    segment_length: session.segment_length,
    playlist: { key, uri: `s3://${BUCKET}/${key}`, segments: 2 },
    exports: {},
    signing_key: newSigningKey(),
    ...overrides,
  };
  const files = ['_1/archive_1080p.000001.ts', '_1/archive_1080p.000002.ts'];
  for (const file of files) {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${session.prefix}/${file}`,
        Body: Buffer.alloc(188 * 2, 0x47),
      }),
    );
  }
  const playlist = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-TARGETDURATION:10',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    ...files.flatMap((f) => ['#EXTINF:10.000,', f]),
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: playlist }));
  await clips.putClips([record]);
  return record;
}

async function aStreamWithSession(overrides: Partial<StreamRecord> = {}) {
  const stream = await store.create(aKeyedStream(overrides));
  const session = aSession(stream.id);
  await store.putSession(stream.id, session);
  return { stream, session };
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch (error) {
    if (error instanceof NotFound) return false;
    throw error;
  }
}

function anExport(clip: ClipRecord, status: ClipExport['status']): ClipExport {
  const id = newTimeId(now);
  return {
    id,
    status,
    key: exportKey(clip.stream_id, clip.id, id),
    requested_at: now.toISOString(),
    finished_at: null,
    execution: 'arn:aws:states:us-east-1:123456789012:execution:ExportClip:x',
    job_id: null,
    duration_ms: null,
    error: null,
  };
}

function expectError(answer: Answer, status: number, code: string): void {
  expect(answer.statusCode, answer.raw).toBe(status);
  expectErrorShape(answer);
  expect(answer.body.error.code).toBe(code);
}

describe('GET /streams/{id}/clips', () => {
  it('lists the clips newest first, with their links and never their signing secret', async () => {
    const { stream, session } = await aStreamWithSession();
    const older = await aClip(stream, session);
    now = new Date(now.getTime() + 5000);
    const newer = await aClip(stream, session);
    const answer = await call('GET', `/streams/${stream.id}/clips`);
    expect(answer.statusCode, answer.raw).toBe(200);
    expect(answer.body.map((c: ClipRecord) => c.id)).toEqual([newer.id, older.id]);
    expect(answer.body[0]).toMatchObject({
      stream_id: stream.id,
      session_id: session.id,
      requested: { start: 12, end: 25 },
      covered: { start: 10, end: 30 },
      exports: [],
    });
    expect(answer.body[0].playback_url).toMatch(
      new RegExp(
        `^http://api\\.example/streams/${stream.id}/clips/${newer.id}/playlist\\.m3u8\\?expires=\\d+&signature=[0-9a-f]{64}$`,
      ),
    );
    expect(answer.raw).not.toContain(newer.signing_key);
    expect(answer.raw).not.toContain('signing_key');
  });

  it('pages with limit and next_token, and filters by session_id', async () => {
    const { stream, session } = await aStreamWithSession();
    const other = aSession(stream.id, { id: '1780826400' });
    await store.putSession(stream.id, other);
    const a = await aClip(stream, session);
    const b = await aClip(stream, other);
    const c = await aClip(stream, session);
    const first = await call('GET', `/streams/${stream.id}/clips`, { query: { limit: '2' } });
    expect(first.body.map((x: ClipRecord) => x.id)).toEqual([c.id, b.id].sort().reverse());
    const token = first.headers['x-next-token'];
    expect(token).toBeDefined();
    const second = await call('GET', `/streams/${stream.id}/clips`, {
      query: { limit: '2', next_token: token as string },
    });
    expect(second.body.map((x: ClipRecord) => x.id)).toEqual([a.id]);
    const filtered = await call('GET', `/streams/${stream.id}/clips`, { query: { session_id: other.id } });
    expect(filtered.body.map((x: ClipRecord) => x.id)).toEqual([b.id]);
  });

  it('answers 404 for a stream that never existed, and 200 [] for one without clips', async () => {
    expectError(await call('GET', '/streams/0123456789ABCDEF/clips'), 404, 'StreamNotFound');
    const stream = await store.create(aKeyedStream());
    const answer = await call('GET', `/streams/${stream.id}/clips`);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual([]);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ next_token: 'not-a-token' }, 'next_token'],
    [{ session_id: '' }, 'session_id'],
    [{ sort: 'asc' }, 'sort'],
  ])('answers 400 for the query %j, naming %s', async (query, field) => {
    const { stream } = await aStreamWithSession();
    const answer = await call('GET', `/streams/${stream.id}/clips`, { query });
    expectError(answer, 400, 'InvalidRequest');
    expect(JSON.stringify(answer.body.error.details ?? answer.body.error.message)).toContain(field);
  });

  it("refuses another stream's page token", async () => {
    const one = await aStreamWithSession();
    const two = await aStreamWithSession();
    await aClip(one.stream, one.session);
    await aClip(one.stream, one.session);
    const page = await call('GET', `/streams/${one.stream.id}/clips`, { query: { limit: '1' } });
    const answer = await call('GET', `/streams/${two.stream.id}/clips`, {
      query: { next_token: page.headers['x-next-token'] as string },
    });
    expectError(answer, 400, 'InvalidRequest');
  });
});

describe('a deleted stream', () => {
  it('keeps its sessions and clips listable, gettable and playable; the stream itself is gone', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    await store.delete(await store.get(stream.id));

    expectError(await call('GET', `/streams/${stream.id}`), 404, 'StreamNotFound');
    const sessions = await call('GET', `/streams/${stream.id}/sessions`);
    expect(sessions.statusCode).toBe(200);
    expect(sessions.body.map((s: RecordingSession) => s.id)).toEqual([session.id]);
    const listed = await call('GET', `/streams/${stream.id}/clips`);
    expect(listed.body.map((c: ClipRecord) => c.id)).toEqual([clip.id]);
    const got = await call('GET', `/streams/${stream.id}/clips/${clip.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.body.instant).toBeNull();
    const playlist = await fetchPlaylist(got.body.playback_url);
    expect(playlist.status).toBe(200);
  });
});

/** GET of a playback URL through the handler (its host is the test's). */
async function fetchPlaylist(url: string): Promise<Answer & { status: number }> {
  const parsed = new URL(url);
  const answer = await call('GET', parsed.pathname, { query: Object.fromEntries(parsed.searchParams) });
  return { ...answer, status: answer.statusCode };
}

describe('GET /streams/{id}/clips/{clip_id}', () => {
  it('answers the clip with its exports and a presigned download URL of a COMPLETE one', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    const done = anExport(clip, 'COMPLETE');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: done.key, Body: 'mp4' }));
    await clips.putExport(clip, done);
    const answer = await call('GET', `/streams/${stream.id}/clips/${clip.id}`);
    expect(answer.statusCode, answer.raw).toBe(200);
    expect(answer.body.exports).toHaveLength(1);
    const download = answer.body.exports[0].download_url as string;
    expect(download).toContain('X-Amz-Signature=');
    const res = await fetch(download);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${clip.name}.mp4"`);
    expect(await res.text()).toBe('mp4');
  });

  it.each([
    ['an unknown clip', 'ffffffffffffffffffff', 'ClipNotFound'],
    ['a malformed clip id', 'not-a-clip', 'ClipNotFound'],
  ])('answers 404 for %s', async (_what, clipId, code) => {
    const { stream } = await aStreamWithSession();
    expectError(await call('GET', `/streams/${stream.id}/clips/${clipId}`), 404, code);
  });

  it("answers 404 for another stream's clip", async () => {
    const one = await aStreamWithSession();
    const two = await aStreamWithSession();
    const clip = await aClip(one.stream, one.session);
    expectError(await call('GET', `/streams/${two.stream.id}/clips/${clip.id}`), 404, 'ClipNotFound');
  });

  it('gives instant URLs on the origin and the CDN while the range is in the startover window', async () => {
    const { stream, session } = await aStreamWithSession({
      status: 'RUNNING',
      viewer_endpoint: 'https://origin.example/out/v1/abc/index.m3u8',
      viewer_endpoint_cloudfront: 'https://cdn.example/out/v1/abc/index.m3u8',
      cloudfront_associated: true,
      startover_window_seconds: 3600,
    });
    await store.update(await store.get(stream.id), { current_session_id: session.id });
    const clip = await aClip(stream, session);
    const started = Date.parse(SESSION_STARTED) / 1000;
    const answer = await call('GET', `/streams/${stream.id}/clips/${clip.id}`);
    expect(answer.body.instant).toEqual({
      origin: `https://origin.example/out/v1/abc/index.m3u8?start=${started + 12}&end=${started + 25}`,
      cdn: `https://cdn.example/out/v1/abc/index.m3u8?start=${started + 12}&end=${started + 25}`,
      expires_at: new Date((started + 12 + 3600) * 1000).toISOString(),
    });
    // Once the range's start has left the window, no instant URL.
    now = new Date((started + 12 + 3600) * 1000);
    expect((await call('GET', `/streams/${stream.id}/clips/${clip.id}`)).body.instant).toBeNull();
  });
});

describe('GET /streams/{id}/clips/{clip_id}/playlist.m3u8', () => {
  it('answers the playlist with presigned segment URLs that the local S3 serves', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    const got = await call('GET', `/streams/${stream.id}/clips/${clip.id}`);
    const answer = await fetchPlaylist(got.body.playback_url);
    expect(answer.status, answer.raw).toBe(200);
    expect(answer.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    const segments = answer.raw.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(segments).toHaveLength(2);
    expect(answer.raw).toContain('#EXT-X-ENDLIST');
    for (const url of segments) {
      expect(url).toContain(`/${session.prefix}/_1/archive_1080p.00000`);
      // A browser's GET: no credentials, from another origin.
      const res = await fetch(url, { headers: { origin: 'https://console.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect((await res.arrayBuffer()).byteLength).toBe(376);
    }
  });

  it('answers 403 to a signature it did not make, or made for another expiry or clip', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    const other = await aClip(stream, session);
    const url = new URL((await call('GET', `/streams/${stream.id}/clips/${clip.id}`)).body.playback_url);
    const q = Object.fromEntries(url.searchParams);
    const route = url.pathname;
    const tampered = {
      ...q,
      signature: `${(q.signature ?? '').slice(0, 63)}${q.signature?.endsWith('0') ? '1' : '0'}`,
    };
    expectError(await call('GET', route, { query: tampered }), 403, 'InvalidSignature');
    const later = { ...q, expires: String(Number(q.expires) + 3600) };
    expectError(await call('GET', route, { query: later }), 403, 'InvalidSignature');
    expectError(await call('GET', route.replace(clip.id, other.id), { query: q }), 403, 'InvalidSignature');
  });

  it('answers 403 once the link has expired', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    const url = (await call('GET', `/streams/${stream.id}/clips/${clip.id}`)).body.playback_url;
    now = new Date(now.getTime() + PLAYBACK_LINK_SECONDS * 1000);
    expectError(await fetchPlaylist(url), 403, 'LinkExpired');
  });

  it.each([
    [{}, 'expires'],
    [{ expires: 'soon', signature: 'a'.repeat(64) }, 'expires'],
    [{ expires: '1', signature: 'xyz' }, 'signature'],
  ])('answers 400 for the query %j', async (query, field) => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    const answer = await call('GET', `/streams/${stream.id}/clips/${clip.id}/playlist.m3u8`, { query });
    expectError(answer, 400, 'InvalidRequest');
    expect(JSON.stringify(answer.body.error.details)).toContain(field);
  });

  it('answers 404 once the clip is deleted: deleting a clip revokes its links', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    const url = (await call('GET', `/streams/${stream.id}/clips/${clip.id}`)).body.playback_url;
    expect((await call('DELETE', `/streams/${stream.id}/clips/${clip.id}`)).statusCode).toBe(200);
    expectError(await fetchPlaylist(url), 404, 'ClipNotFound');
  });
});

describe('DELETE /streams/{id}/clips/{clip_id}', () => {
  it('removes the playlist, the MP4 exports and the record, never the archive files', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    const done = anExport(clip, 'COMPLETE');
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: done.key, Body: 'mp4' }));
    await clips.putExport(clip, done);
    const answer = await call('DELETE', `/streams/${stream.id}/clips/${clip.id}`);
    expect(answer.statusCode, answer.raw).toBe(200);
    expect(answer.body).toEqual({ id: clip.id, stream_id: stream.id, deleted: true });
    expect(await exists(clip.playlist.key)).toBe(false);
    expect(await exists(done.key)).toBe(false);
    expect(await exists(`${session.prefix}/_1/archive_1080p.000001.ts`)).toBe(true);
    expect(await clips.find(stream.id, clip.id)).toBeUndefined();
    expectError(await call('DELETE', `/streams/${stream.id}/clips/${clip.id}`), 404, 'ClipNotFound');
  });

  it('answers 409 while an export of the clip runs, and deletes nothing', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    await clips.putExport(clip, anExport(clip, 'PROGRESSING'));
    expectError(await call('DELETE', `/streams/${stream.id}/clips/${clip.id}`), 409, 'ExportInProgress');
    expect(await exists(clip.playlist.key)).toBe(true);
    expect(await clips.find(stream.id, clip.id)).toBeDefined();
  });
});

describe('POST /streams/{id}/clips/{clip_id}/exports', () => {
  it('records the export SUBMITTED and starts ExportClip with the clip and export ids', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    const answer = await call('POST', `/streams/${stream.id}/clips/${clip.id}/exports`, {}, handler);
    expect(answer.statusCode, answer.raw).toBe(202);
    const [item] = answer.body.exports;
    expect(item).toMatchObject({
      status: 'SUBMITTED',
      key: `clip-exports/${stream.id}/${clip.id}/${item.id}.mp4`,
      range: { start: 12, end: 25 },
      download_url: null,
    });
    expect(item.execution).toMatch(
      new RegExp(`^${EXPORT_MACHINE.replace(':stateMachine:', ':execution:')}:${stream.id}-export-`),
    );
    expect(sfn).toHaveReceivedCommandOnce(StartExecutionCommand);
    const input = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(input?.stateMachineArn).toBe(EXPORT_MACHINE);
    expect(JSON.parse(input?.input ?? '')).toMatchObject({
      stream_id: stream.id,
      clip_id: clip.id,
      export_id: item.id,
    });
    expect((await clips.get(stream.id, clip.id)).exports[item.id]?.status).toBe('SUBMITTED');
  });

  it('answers 404 for an unknown or deleted clip, and starts nothing', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    await call('DELETE', `/streams/${stream.id}/clips/${clip.id}`);
    expectError(await call('POST', `/streams/${stream.id}/clips/${clip.id}/exports`), 404, 'ClipNotFound');
    expectError(
      await call('POST', `/streams/${stream.id}/clips/ffffffffffffffffffff/exports`),
      404,
      'ClipNotFound',
    );
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('exports a clip of a deleted stream: the archive is still there', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    await store.delete(await store.get(stream.id));
    expect((await call('POST', `/streams/${stream.id}/clips/${clip.id}/exports`)).statusCode).toBe(202);
  });

  it('answers 409 for a clip with parts no archive file covers, and starts nothing', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session, { missing: [{ start: 20, end: 22 }] });
    expectError(await call('POST', `/streams/${stream.id}/clips/${clip.id}/exports`), 409, 'ClipHasGaps');
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 409 TooManyExports once the clip has 10 exports, and starts nothing', async () => {
    const { stream, session } = await aStreamWithSession();
    let clip = await aClip(stream, session);
    for (let i = 0; i < 10; i++) {
      await clips.putExport(clip, { ...anExport(clip, 'COMPLETE'), id: `${i}`.padStart(20, '0') });
      clip = await clips.get(stream.id, clip.id);
    }
    expect(Object.keys(clip.exports)).toHaveLength(10);
    expectError(await call('POST', `/streams/${stream.id}/clips/${clip.id}/exports`), 409, 'TooManyExports');
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(Object.keys((await clips.get(stream.id, clip.id)).exports)).toHaveLength(10);
  });

  it('answers 400 to a body with fields', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    const answer = await call('POST', `/streams/${stream.id}/clips/${clip.id}/exports`, {
      json: { format: 'mov' },
    });
    expectError(answer, 400, 'InvalidRequest');
  });

  it('answers 503 and records the export ERROR when Step Functions refuses to start it', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionLimitExceeded({ message: 'too many', $metadata: {} }));
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    expectError(await call('POST', `/streams/${stream.id}/clips/${clip.id}/exports`), 503, 'ExportFailed');
    const [item] = Object.values((await clips.get(stream.id, clip.id)).exports);
    expect(item).toMatchObject({ status: 'ERROR', error: expect.stringContaining('could not start') });
  });

  it('answers 503 on a deployment without the ExportClip workflow', async () => {
    const { stream, session } = await aStreamWithSession();
    const clip = await aClip(stream, session);
    const answer = await call('POST', `/streams/${stream.id}/clips/${clip.id}/exports`, {}, withoutExports);
    expectError(answer, 503, 'ExportUnavailable');
  });
});
