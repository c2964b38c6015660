import {
  ExecutionLimitExceeded,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordingSession, StreamRecord, StreamStatus } from '../../core/stream.js';
import { type ApiHarness, aKeyedStream, expectErrorShape, SPLIT_MACHINE, startApi } from './api-harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.close());
beforeEach(() => api.resetSfn());

const SESSION: RecordingSession = {
  id: '1767225600',
  prefix: '2026/01/01/stream-1767225600',
  uri: 's3://archive/2026/01/01/stream-1767225600',
  started_at: '2026-01-01T00:00:00.000Z',
  stopped_at: '2026-01-01T01:00:00.000Z',
  segment_length: 10,
  channel_class: 'STANDARD',
};
const RANGES = [{ start: 10, end: 70 }];
const SPLIT_OUTPUT = {
  indexes: ['s3://archive/2026/01/01/stream-1767225600/index_talk_0.m3u8'],
  clips: [
    {
      index: 's3://archive/2026/01/01/stream-1767225600/index_talk_0.m3u8',
      start: 10,
      end: 70,
      covered_start: 10,
      covered_end: 70,
      segments: 6,
      missing: [],
    },
  ],
};

async function withSession(status: StreamStatus = 'IDLE'): Promise<StreamRecord> {
  const stream = await api.seed(aKeyedStream({ status, archives_path: { [SESSION.id]: SESSION.uri } }));
  await api.store.putSession(stream.id, SESSION);
  return stream;
}

const split = (stream: StreamRecord, body: unknown, requestId?: string) =>
  api.call('POST', `/streams/${stream.id}/split`, { json: body, ...(requestId ? { requestId } : {}) });

describe('POST /streams/{id}/split', () => {
  it('answers 200 with the playlists the SplitArchive workflow wrote', async () => {
    api.sfn
      .on(StartSyncExecutionCommand)
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify(SPLIT_OUTPUT) });
    const stream = await withSession();
    const answer = await split(stream, {
      timestamp_list: RANGES,
      session_id: SESSION.id,
      name_modifier: 'talk',
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toEqual(SPLIT_OUTPUT);
  });

  it('runs SplitArchive synchronously with the session, the ranges and a readable execution name', async () => {
    const stream = await withSession();
    await split(
      stream,
      { timestamp_list: RANGES, session_id: SESSION.id, name_modifier: 'talk' },
      'req-split',
    );
    expect(api.sfn).toHaveReceivedCommandOnce(StartSyncExecutionCommand);
    const call = api.sfn.commandCalls(StartSyncExecutionCommand)[0]?.args[0].input;
    expect(call?.stateMachineArn).toBe(SPLIT_MACHINE);
    expect(call?.name).toMatch(new RegExp(`^${stream.id}-split-\\d{8}-\\d{6}-[0-9a-f]{6}$`));
    expect(JSON.parse(call?.input ?? '')).toEqual({
      stream_id: stream.id,
      session: SESSION,
      timestamp_list: RANGES,
      name_modifier: 'talk',
      request_id: 'req-split',
    });
    // A split is not a lifecycle action: the record keeps its status and version.
    expect(await api.store.get(stream.id)).toEqual(stream);
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('names the playlists with a fresh UUID when name_modifier is not given', async () => {
    const stream = await withSession();
    await split(stream, { timestamp_list: RANGES, session_id: SESSION.id });
    const input = JSON.parse(api.sfn.commandCalls(StartSyncExecutionCommand)[0]?.args[0].input.input ?? '');
    expect(input.name_modifier).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it.each(['IDLE', 'RUNNING', 'STARTING', 'STOPPING', 'FAILED'] as StreamStatus[])(
    'splits the recording of a stream that is %s',
    async (status) => {
      const stream = await withSession(status);
      expect((await split(stream, { timestamp_list: RANGES, session_id: SESSION.id })).statusCode).toBe(200);
    },
  );

  it.each(['CREATING', 'DELETING'] as StreamStatus[])(
    'answers 409 with the current status when the stream is %s',
    async (status) => {
      const stream = await withSession(status);
      const answer = await split(stream, { timestamp_list: RANGES, session_id: SESSION.id });
      expect(answer.statusCode).toBe(409);
      expect(answer.body.error).toMatchObject({ code: 'ActionNotAllowed', status });
      expect(api.sfn).not.toHaveReceivedCommand(StartSyncExecutionCommand);
    },
  );

  it('answers 404 for an unknown stream', async () => {
    const answer = await api.call('POST', '/streams/00000000000000DD/split', {
      json: { timestamp_list: RANGES, session_id: SESSION.id },
    });
    expect(answer.statusCode).toBe(404);
    expect(answer.body.error.code).toBe('StreamNotFound');
  });

  it('answers 404 SessionNotFound for a session the stream never recorded', async () => {
    const stream = await withSession();
    const answer = await split(stream, { timestamp_list: RANGES, session_id: 'nope' });
    expect(answer.statusCode).toBe(404);
    expectErrorShape(answer);
    expect(answer.body.error.code).toBe('SessionNotFound');
    expect(answer.body.error.message).toContain('nope');
  });

  it.each([
    ['timestamp_list is missing', { session_id: 'S' }, 'timestamp_list'],
    ['timestamp_list is empty', { timestamp_list: [], session_id: 'S' }, 'timestamp_list'],
    [
      'timestamp_list has more than 100 ranges',
      { timestamp_list: Array.from({ length: 101 }, (_, i) => ({ start: i, end: i + 1 })), session_id: 'S' },
      'timestamp_list',
    ],
    [
      'a range ends before it starts',
      {
        timestamp_list: [
          { start: 1, end: 2 },
          { start: 50, end: 40 },
        ],
        session_id: 'S',
      },
      'timestamp_list[1].end',
    ],
    [
      'a range is empty',
      { timestamp_list: [{ start: 5, end: 5 }], session_id: 'S' },
      'timestamp_list[0].end',
    ],
    [
      'a start is negative',
      { timestamp_list: [{ start: -1, end: 5 }], session_id: 'S' },
      'timestamp_list[0].start',
    ],
    [
      'a start is a string',
      { timestamp_list: [{ start: '0', end: 5 }], session_id: 'S' },
      'timestamp_list[0].start',
    ],
    [
      'a range has an unknown field',
      { timestamp_list: [{ start: 0, end: 5, fps: 30 }], session_id: 'S' },
      'timestamp_list[0].fps',
    ],
    ['session_id is missing', { timestamp_list: RANGES }, 'session_id'],
    ['session_id is empty', { timestamp_list: RANGES, session_id: '' }, 'session_id'],
    ['session_id is too long', { timestamp_list: RANGES, session_id: 's'.repeat(65) }, 'session_id'],
    [
      'name_modifier has a slash',
      { timestamp_list: RANGES, session_id: 'S', name_modifier: '../x' },
      'name_modifier',
    ],
    ['a field is unknown', { timestamp_list: RANGES, session_id: 'S', bucket: 'other' }, 'bucket'],
  ])('answers 400 naming the field when %s', async (_, body, field) => {
    const stream = await withSession();
    const answer = await split(stream, body);
    expect(answer.statusCode).toBe(400);
    expectErrorShape(answer);
    expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
    expect(api.sfn).not.toHaveReceivedCommand(StartSyncExecutionCommand);
  });

  it("answers 400 with the workflow's own details when it finds the ranges invalid", async () => {
    const details = [
      { field: 'timestamp_list[0].start', reason: 'is after the end of the session (3600 s)' },
    ];
    api.sfn.on(StartSyncExecutionCommand).resolves({
      status: 'FAILED',
      error: 'ClipOutOfRange',
      cause: JSON.stringify({ errorMessage: 'the range is outside the recording', details }),
    });
    const stream = await withSession();
    const answer = await split(stream, {
      timestamp_list: [{ start: 4000, end: 4100 }],
      session_id: SESSION.id,
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error).toEqual({
      code: 'InvalidRequest',
      message: 'the range is outside the recording',
      details,
    });
  });

  it('answers 409 NameModifierInUse naming name_modifier when the session has playlists by that name', async () => {
    api.sfn.on(StartSyncExecutionCommand).resolves({
      status: 'FAILED',
      error: 'NameModifierInUse',
      cause: JSON.stringify({
        errorType: 'NameModifierInUse',
        errorMessage:
          'name_modifier "keynote" already names playlists of this session (S1/index_keynote_0.m3u8); choose another',
      }),
    });
    const stream = await withSession();
    const answer = await split(stream, {
      timestamp_list: RANGES,
      session_id: SESSION.id,
      name_modifier: 'keynote',
    });
    expect(answer.statusCode).toBe(409);
    expectErrorShape(answer);
    expect(answer.body.error).toEqual({
      code: 'NameModifierInUse',
      message:
        'name_modifier "keynote" already names playlists of this session (S1/index_keynote_0.m3u8); choose another',
      details: [{ field: 'name_modifier', reason: 'already names playlists of this session' }],
    });
    expect(await api.store.get(stream.id)).toEqual(stream);
  });

  it('answers 503 SplitFailed when the workflow fails for another reason', async () => {
    api.sfn
      .on(StartSyncExecutionCommand)
      .resolves({ status: 'FAILED', error: 'States.TaskFailed', cause: 'S3 throttled' });
    const stream = await withSession();
    const answer = await split(stream, { timestamp_list: RANGES, session_id: SESSION.id });
    expect(answer.statusCode).toBe(503);
    expect(answer.body.error.code).toBe('SplitFailed');
    expect(answer.body.error.message).toContain('States.TaskFailed');
  });

  it('answers 503 SplitFailed (not 500) when Step Functions refuses to run the split', async () => {
    api.sfn
      .on(StartSyncExecutionCommand)
      .rejects(new ExecutionLimitExceeded({ message: 'limit', $metadata: {} }));
    const stream = await withSession();
    const answer = await split(stream, { timestamp_list: RANGES, session_id: SESSION.id });
    expect(answer.statusCode).toBe(503);
    expectErrorShape(answer);
    expect(answer.body.error.code).toBe('SplitFailed');
  });
});
