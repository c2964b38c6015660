/**
 * Clips through the bundled functions and the real definitions: a split's clips become records,
 * ExportClip runs MediaConvert's `createJob.sync` (locally FFmpeg) and records the export COMPLETE,
 * ERROR or nothing (the clip was deleted meanwhile), each status on the bus; DeleteStream keeps the
 * stream's sessions and clips.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveKey } from '../../core/archive-naming.js';
import { CLIP_CHANGED } from '../../core/clip-events.js';
import { EVENT_SOURCE } from '../../core/status-events.js';
import { findFfmpeg } from '../../infra/local/ffmpeg.js';
import { FPS, indexedSourceArgs } from '../support/frame-index.js';
import { ARCHIVE_BUCKET, startWorkflowHarness, type WorkflowHarness } from '../support/workflow-harness.js';

const run = promisify(execFile);
const { ffmpeg } = findFfmpeg();
let h: WorkflowHarness;
/** Three 2-second archive files (60 frames at 29.97 fps each), made once. */
let segments: Buffer[] = [];
/** "Clip Changed" events the functions put on the bus. */
const changes: Array<{ clip_id: string; change: string; export_status: string | null }> = [];

beforeAll(async () => {
  h = await startWorkflowHarness();
  h.events.subscribe(
    (e) => e.source === EVENT_SOURCE && e['detail-type'] === CLIP_CHANGED,
    async (e) => {
      changes.push(e.detail as (typeof changes)[number]);
    },
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'export-archive-'));
  await run(ffmpeg, [
    '-v',
    'error',
    ...indexedSourceArgs('320x180'),
    '-frames:v',
    '180',
    '-t',
    String(180 / FPS),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-g',
    '60',
    '-sc_threshold',
    '0',
    '-c:a',
    'aac',
    '-f',
    'segment',
    '-segment_format',
    'mpegts',
    '-segment_time',
    String(60 / FPS),
    path.join(dir, '%d.ts'),
  ]);
  segments = readdirSync(dir)
    .sort()
    .map((f) => readFileSync(path.join(dir, f)));
}, 180_000);
afterAll(async () => {
  await h?.close();
});

/** A stopped stream with a session of three 2-second archive files (`body` per file, if given). */
async function recordedSession(bodies: Buffer[] = segments) {
  const running = await h.runningStream({ segment_length: 2 });
  const sessionId = running.current_session_id as string;
  const started = await h.store.getSession(running.id, sessionId);
  const session = { ...started, started_at: new Date(Date.now() - bodies.length * 2000).toISOString() };
  await h.store.putSession(running.id, session);
  for (const [counter, body] of bodies.entries()) {
    await h.aws.s3.send(
      new PutObjectCommand({
        Bucket: ARCHIVE_BUCKET,
        Key: archiveKey(session.prefix, 0, counter),
        Body: body,
      }),
    );
  }
  const stopped = await h.act('POST', `/streams/${running.id}/stop`);
  expect(stopped.record?.status).toBe('IDLE');
  return { id: running.id, sessionId, prefix: session.prefix };
}

async function clipOf(id: string, sessionId: string, range = { start: 1, end: 5 }): Promise<string> {
  const answer = await h.call('POST', `/streams/${id}/split`, {
    session_id: sessionId,
    timestamp_list: [range],
  });
  expect(answer.statusCode, JSON.stringify(answer.body)).toBe(200);
  const [clip] = answer.body.clips as Array<{ clip_id: string; playback_url: string }>;
  expect(clip?.clip_id).toMatch(/^[0-9a-f]{20}$/);
  expect(clip?.playback_url).toContain(`/clips/${clip?.clip_id}/playlist.m3u8?expires=`);
  return clip?.clip_id as string;
}

interface ExportAnswer {
  id: string;
  status: string;
  key: string;
  execution: string;
  duration_ms: number | null;
  job_id: string | null;
  error: string | null;
}

async function exportAndWait(id: string, clipId: string) {
  const started = await h.call('POST', `/streams/${id}/clips/${clipId}/exports`);
  expect(started.statusCode, JSON.stringify(started.body)).toBe(202);
  const [item] = started.body.exports as ExportAnswer[];
  expect(item?.status).toBe('SUBMITTED');
  const execution = await h.waitForExecution(item?.execution as string, 120_000);
  const clip = await h.call('GET', `/streams/${id}/clips/${clipId}`);
  const done = (clip.body.exports as ExportAnswer[]).find((e) => e.id === item?.id) as ExportAnswer;
  return { execution, item: done };
}

function clipEvents(clipId: string) {
  return changes.filter((d) => d.clip_id === clipId);
}

describe('ExportClip', () => {
  it('runs the MediaConvert job and records the export COMPLETE with its job and duration', async () => {
    const { id, sessionId } = await recordedSession();
    const clipId = await clipOf(id, sessionId);
    const { execution, item } = await exportAndWait(id, clipId);
    expect(execution.status, execution.cause).toBe('SUCCEEDED');
    expect(item).toMatchObject({ status: 'COMPLETE', error: null });
    expect(item.job_id).toBeTruthy();
    // [1 s, 5 s) at 29.97 fps: frames 30..149, 120 frames.
    expect(Math.abs((item.duration_ms ?? 0) - (120 / FPS) * 1000)).toBeLessThan(1000 / FPS);
    await h.aws.s3.send(new HeadObjectCommand({ Bucket: ARCHIVE_BUCKET, Key: item.key }));
    const history = await h.history(execution.executionArn);
    expect(history.map((e) => e.type)).toEqual(expect.arrayContaining(['TaskScheduled', 'TaskSucceeded']));
    await h.events.idle();
    expect(clipEvents(clipId).map((e) => `${e.change}:${e.export_status ?? ''}`)).toEqual([
      'CREATED:',
      'EXPORT:SUBMITTED',
      'EXPORT:PROGRESSING',
      'EXPORT:COMPLETE',
    ]);
  }, 180_000);

  it('records the export ERROR, with why, when the job fails', async () => {
    const broken = [Buffer.from('not a transport stream'), Buffer.alloc(188, 1), Buffer.alloc(188, 2)];
    const { id, sessionId } = await recordedSession(broken);
    const clipId = await clipOf(id, sessionId);
    const { execution, item } = await exportAndWait(id, clipId);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('ExportFailed');
    expect(item.status).toBe('ERROR');
    expect(item.error).toMatch(/^States\.TaskFailed: /);
    await h.events.idle();
    expect(clipEvents(clipId).at(-1)).toMatchObject({ change: 'EXPORT', export_status: 'ERROR' });
  }, 120_000);

  it('leaves nothing to record when the clip was deleted before its export ran', async () => {
    const { id, sessionId } = await recordedSession();
    const clipId = await clipOf(id, sessionId);
    expect((await h.call('DELETE', `/streams/${id}/clips/${clipId}`)).statusCode).toBe(200);
    const machine = h.env.EXPORT_CLIP_STATE_MACHINE_ARN as string;
    const started = await h.aws.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machine,
        input: JSON.stringify({ stream_id: id, clip_id: clipId, export_id: 'e'.repeat(20), request_id: 'r' }),
      }),
    );
    const execution = await h.waitForExecution(started.executionArn as string);
    expect(execution.status).toBe('FAILED');
    const history = await h.history(execution.executionArn);
    const recorded = history.find(
      (e) =>
        e.type === 'LambdaFunctionSucceeded' &&
        e.lambdaFunctionSucceededEventDetails?.output?.includes('CLIP_GONE'),
    );
    expect(recorded).toBeDefined();
  }, 60_000);
});

describe('DeleteStream', () => {
  it("keeps the stream's sessions and clips: listed and exportable once the stream is gone", async () => {
    const { id, sessionId } = await recordedSession();
    const clipId = await clipOf(id, sessionId, { start: 0, end: 2 });
    const deleted = await h.act('DELETE', `/streams/${id}`);
    expect(deleted.execution.status).toBe('SUCCEEDED');
    expect(deleted.record).toBeUndefined();
    expect((await h.call('GET', `/streams/${id}`)).statusCode).toBe(404);
    const sessions = await h.call('GET', `/streams/${id}/sessions`);
    expect(sessions.statusCode).toBe(200);
    // (The test moved the session's start back, which wrote a second item of the same session.)
    expect((sessions.body as unknown as Array<{ id: string }>).map((s) => s.id)).toContain(sessionId);
    const clips = await h.call('GET', `/streams/${id}/clips`);
    expect((clips.body as unknown as Array<{ id: string }>).map((c) => c.id)).toEqual([clipId]);
    const { execution, item } = await exportAndWait(id, clipId);
    expect(execution.status, execution.cause).toBe('SUCCEEDED');
    expect(item.status).toBe('COMPLETE');
  }, 180_000);
});
