import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionLimitExceeded,
  InvalidName,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LifecycleAction, StreamRecord, StreamStatus } from '../../core/stream.js';
import {
  type ApiHarness,
  ARCHIVE_BUCKET,
  aKeyedStream,
  expectErrorShape,
  MACHINES,
  startApi,
} from './api-harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.close());
beforeEach(() => api.resetSfn());

const UNKNOWN_ID = '00000000000000CC';
const PREVIOUS_EXECUTION = {
  action: 'create' as const,
  name: 'previous',
  arn: 'arn:aws:states:us-east-1:123456789012:execution:CreateStream:previous',
  started_at: '2026-01-01T00:00:00.000Z',
};
const PREVIOUS_ERROR = {
  code: 'ChannelStartFailed',
  message: 'earlier failure',
  action: 'start',
  at: '2026-01-01T00:00:00.000Z',
};

interface RouteCase {
  action: LifecycleAction;
  method: 'POST' | 'DELETE';
  suffix: string;
  query?: Record<string, string>;
  /** Statuses the action starts from, and the status the record shows while the workflow runs. */
  allowed: Array<[StreamStatus, StreamStatus]>;
  forbidden: StreamStatus[];
  options: Record<string, unknown>;
  machine: string;
}

const ROUTE_CASES: RouteCase[] = [
  {
    action: 'start',
    method: 'POST',
    suffix: '/start',
    allowed: [
      ['IDLE', 'STARTING'],
      ['FAILED', 'STARTING'],
    ],
    forbidden: ['CREATING', 'STARTING', 'RUNNING', 'STOPPING', 'DELETING'],
    options: {},
    machine: MACHINES.start,
  },
  {
    action: 'stop',
    method: 'POST',
    suffix: '/stop',
    allowed: [
      ['RUNNING', 'STOPPING'],
      ['FAILED', 'STOPPING'],
    ],
    forbidden: ['CREATING', 'IDLE', 'STARTING', 'STOPPING', 'DELETING'],
    options: {},
    machine: MACHINES.stop,
  },
  {
    action: 'delete',
    method: 'DELETE',
    suffix: '',
    allowed: [
      ['IDLE', 'DELETING'],
      ['FAILED', 'DELETING'],
    ],
    forbidden: ['CREATING', 'STARTING', 'RUNNING', 'STOPPING', 'DELETING'],
    options: { force: false },
    machine: MACHINES.delete,
  },
  {
    action: 'delete',
    method: 'DELETE',
    suffix: '',
    query: { force: 'true' },
    // Any status, once no workflow of the stream runs (here Step Functions knows of none running).
    allowed: [
      ['CREATING', 'DELETING'],
      ['IDLE', 'DELETING'],
      ['STARTING', 'DELETING'],
      ['RUNNING', 'DELETING'],
      ['STOPPING', 'DELETING'],
      ['DELETING', 'DELETING'],
      ['FAILED', 'DELETING'],
    ],
    forbidden: [],
    options: { force: true },
    machine: MACHINES.delete,
  },
  {
    action: 'go-live',
    method: 'POST',
    suffix: '/live',
    allowed: [
      ['IDLE', 'IDLE'],
      ['RUNNING', 'RUNNING'],
    ],
    forbidden: ['CREATING', 'STARTING', 'STOPPING', 'DELETING', 'FAILED'],
    options: {},
    machine: MACHINES['go-live'],
  },
  {
    action: 'end-live',
    method: 'DELETE',
    suffix: '/live',
    allowed: [
      ['IDLE', 'IDLE'],
      ['RUNNING', 'RUNNING'],
      ['FAILED', 'FAILED'],
    ],
    forbidden: ['CREATING', 'STARTING', 'STOPPING', 'DELETING'],
    options: {},
    machine: MACHINES['end-live'],
  },
];

const label = (c: RouteCase) => `${c.method} /streams/{id}${c.suffix}${c.query ? '?force=true' : ''}`;

function callRoute(c: RouteCase, stream: StreamRecord, requestId?: string) {
  return api.call(c.method, `/streams/${stream.id}${c.suffix}`, {
    ...(c.method === 'POST' ? { json: {} } : {}),
    ...(c.query ? { query: c.query } : {}),
    ...(requestId ? { requestId } : {}),
  });
}

const seeded = (status: StreamStatus) =>
  api.seed(
    aKeyedStream({
      status,
      execution: PREVIOUS_EXECUTION,
      error: status === 'FAILED' ? PREVIOUS_ERROR : null,
    }),
  );

describe.each(ROUTE_CASES)('$method /streams/{id}$suffix $query', (c) => {
  it.each(c.allowed)(`${label(c)} answers 202 from %s, writing %s and the execution`, async (from, to) => {
    const stream = await seeded(from);
    const answer = await callRoute(c, stream, `req-${c.action}-${from}`);
    expect(answer.statusCode).toBe(202);
    const name = answer.body.execution.name as string;
    expect(name).toMatch(new RegExp(`^${stream.id}-${c.action}-\\d{8}-\\d{6}-[0-9a-f]{6}$`));
    expect(answer.body).toMatchObject({
      status: to,
      version: stream.version + 1,
      execution: {
        action: c.action,
        name,
        arn: `${c.machine.replace(':stateMachine:', ':execution:')}:${name}`,
      },
    });
    if (to !== from) expect(answer.body.error).toBeNull();
    expect(await api.store.get(stream.id)).toEqual(answer.body);
    // A lifecycle answer is a single-stream answer: the stream keys stay in it.
    expect(answer.body.rtmp1).toBe(stream.rtmp1);
  });

  it(`${label(c)} starts its machine once with the exact ARN, the execution name and the input`, async () => {
    const [from] = c.allowed[0] ?? [];
    const stream = await seeded(from as StreamStatus);
    const answer = await callRoute(c, stream, `req-input-${c.action}`);
    expect(api.sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, {
      stateMachineArn: c.machine,
      name: answer.body.execution.name,
    });
    const input = JSON.parse(api.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '');
    expect(input).toEqual({
      stream_id: stream.id,
      action: c.action,
      options: c.options,
      requested_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      request_id: `req-input-${c.action}`,
    });
  });

  it.each(c.forbidden)(
    `${label(c)} answers 409 with the current status when the stream is %s`,
    async (status) => {
      const stream = await seeded(status);
      const answer = await callRoute(c, stream);
      expect(answer.statusCode).toBe(409);
      expectErrorShape(answer);
      expect(answer.body.error).toMatchObject({ code: 'ActionNotAllowed', status });
      expect(await api.store.get(stream.id)).toEqual(stream);
      expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    },
  );

  it(`${label(c)} answers 404 for an unknown stream`, async () => {
    const answer = await callRoute(c, aKeyedStream({ id: UNKNOWN_ID }));
    expect(answer.statusCode).toBe(404);
    expect(answer.body.error.code).toBe('StreamNotFound');
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it(`${label(c)} puts the record back and answers 503 when StartExecution fails`, async () => {
    const [from] = c.allowed[0] ?? [];
    const stream = await seeded(from as StreamStatus);
    api.sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionLimitExceeded({ message: 'limit', $metadata: {} }));
    const answer = await callRoute(c, stream);
    expect(answer.statusCode).toBe(503);
    expectErrorShape(answer);
    expect(answer.body.error.code).toBe('WorkflowStartFailed');
    expect(answer.body.error.message).toContain(`could not start the ${c.action} workflow`);
    expect(answer.body.error.message).toContain(`unchanged (${from})`);
    const after = await api.store.get(stream.id);
    expect(after).toMatchObject({ status: from, execution: PREVIOUS_EXECUTION, error: stream.error });
  });
});

describe('POST /streams/{id}/start', () => {
  it('passes the archive path to the workflow and stores the startover window on the record', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}/start`, {
      json: { path: 'events/2026/keynote', startover_window_seconds: 120 },
    });
    expect(answer.statusCode).toBe(202);
    expect(answer.body.startover_window_seconds).toBe(120);
    const input = JSON.parse(api.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '');
    expect(input.options).toEqual({ path: 'events/2026/keynote' });
  });

  it('accepts no body at all', async () => {
    const stream = await api.seed(aKeyedStream());
    expect((await api.call('POST', `/streams/${stream.id}/start`)).statusCode).toBe(202);
  });

  it('stores key_rotation_interval when HLS encryption is configured', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api
      .withConfig({ encryption: true })
      .call('POST', `/streams/${stream.id}/start`, { json: { key_rotation_interval: 30 } });
    expect(answer.statusCode).toBe(202);
    expect(answer.body.key_rotation_interval).toBe(30);
  });

  it('answers 400 on key_rotation_interval when HLS encryption is not configured', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}/start`, {
      json: { key_rotation_interval: 60 },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([
      { field: 'key_rotation_interval', reason: 'HLS encryption is not configured on this deployment' },
    ]);
    expect((await api.store.get(stream.id)).status).toBe('IDLE');
  });

  it.each([
    ['path is absolute', { path: '/etc/passwd' }, 'path'],
    ['path climbs up', { path: 'a/../../b' }, 'path'],
    ['path has an empty segment', { path: 'a//b' }, 'path'],
    ['path has a space', { path: 'my path' }, 'path'],
    ['path is empty', { path: '' }, 'path'],
    ['path is too long', { path: 'p'.repeat(513) }, 'path'],
    ['path is not a string', { path: 7 }, 'path'],
    ['startover_window_seconds is negative', { startover_window_seconds: -1 }, 'startover_window_seconds'],
    ['startover_window_seconds is a string', { startover_window_seconds: '60' }, 'startover_window_seconds'],
    ['a field is unknown', { channel_class: 'SINGLE_PIPELINE' }, 'channel_class'],
  ])('answers 400 naming the field when %s', async (_, body, field) => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}/start`, { json: body });
    expect(answer.statusCode).toBe(400);
    expectErrorShape(answer);
    // One field may break several rules (an empty path is too short and not a key prefix).
    expect(new Set(answer.body.error.details.map((d: { field: string }) => d.field))).toEqual(
      new Set([field]),
    );
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it.each([
    ['a/./b', 'must not contain a "." segment'],
    ['.', 'must not contain a "." segment'],
    ['./a', 'must not contain a "." segment'],
    ['a/.', 'must not contain a "." segment'],
    ['a/./', 'must not contain a "." segment'],
    ['..', 'must not contain ..'],
    ['a/../b', 'must not contain ..'],
    ['a//b', 'must not contain an empty segment (//)'],
    ['/a', 'must be relative (no leading slash)'],
    ['/', 'must not be empty'],
    ['', 'must not be empty'],
    ['a b', "may only contain letters, digits, / and the characters ! _ . * ' ( ) -"],
  ])('answers 400 naming path and why for the start path %j, and changes nothing', async (path, reason) => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}/start`, { json: { path } });
    expect(answer.statusCode).toBe(400);
    expectErrorShape(answer);
    expect(answer.body.error.details).toEqual([{ field: 'path', reason }]);
    expect(await api.store.get(stream.id)).toEqual(stream);
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('accepts the start paths the start task accepts, one trailing slash included', async () => {
    for (const path of [
      'events/2026/keynote',
      'events/2026/keynote/',
      "talks/day-1/room_(a)!*'.b",
      'a.b/c.d',
    ]) {
      const stream = await api.seed(aKeyedStream());
      const answer = await api.call('POST', `/streams/${stream.id}/start`, { json: { path } });
      expect(answer.statusCode, path).toBe(202);
    }
  });

  it('answers 400 naming path when the path is the archive of another recording session, and changes nothing', async () => {
    const other = await api.seed(aKeyedStream());
    expect(
      await api.store.reserveArchivePrefix('events/2026/opening', { streamId: other.id, execution: 'x' }),
    ).toBe(true);
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}/start`, {
      json: { path: 'events/2026/opening/' },
    });
    expect(answer.statusCode).toBe(400);
    expectErrorShape(answer);
    expect(answer.body.error.details).toEqual([
      { field: 'path', reason: 'is the archive of another recording session: choose another path' },
    ]);
    expect(await api.store.get(stream.id)).toEqual(stream);
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 400 naming path when the archive bucket already holds objects under the path, and changes nothing', async () => {
    api.s3
      .on(ListObjectsV2Command, { Prefix: 'uploads/old/' })
      .resolves({ KeyCount: 1, Contents: [{ Key: 'uploads/old/a.ts' }] });
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('POST', `/streams/${stream.id}/start`, { json: { path: 'uploads/old' } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([
      { field: 'path', reason: 'already holds objects: choose an empty path' },
    ]);
    expect(api.s3).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: ARCHIVE_BUCKET,
      Prefix: 'uploads/old/',
      MaxKeys: 1,
    });
    expect(await api.store.get(stream.id)).toEqual(stream);
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('does not look at the archive when the start names no path (the session gets a fresh prefix)', async () => {
    const stream = await api.seed(aKeyedStream());
    expect((await api.call('POST', `/streams/${stream.id}/start`, { json: {} })).statusCode).toBe(202);
    expect(api.s3).not.toHaveReceivedCommand(ListObjectsV2Command);
  });

  it('answers 409 for a FAILED stream that has no channel (its creation failed)', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'FAILED', live_channel_id: null }));
    const answer = await api.call('POST', `/streams/${stream.id}/start`, { json: {} });
    expect(answer.statusCode).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'ActionNotAllowed', status: 'FAILED' });
    expect(answer.body.error.message).toContain('delete it');
  });

  it('answers 503 and puts IDLE back when StartExecution rejects the name', async () => {
    const stream = await api.seed(aKeyedStream());
    api.sfn.on(StartExecutionCommand).rejects(new InvalidName({ message: 'bad name', $metadata: {} }));
    const answer = await api.call('POST', `/streams/${stream.id}/start`, { json: {} });
    expect(answer.statusCode).toBe(503);
    expect((await api.store.get(stream.id)).status).toBe('IDLE');
  });

  it('lets exactly one of two racing starts through and starts one execution', async () => {
    const stream = await api.seed(aKeyedStream());
    const answers = await Promise.all([
      api.call('POST', `/streams/${stream.id}/start`, { json: {} }),
      api.call('POST', `/streams/${stream.id}/start`, { json: {} }),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409]);
    expect(api.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect((await api.store.get(stream.id)).version).toBe(stream.version + 1);
  });
});

describe('POST /streams/{id}/stop', () => {
  it('answers 409 for a FAILED stream that has no channel to stop', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'FAILED', live_channel_id: null }));
    const answer = await api.call('POST', `/streams/${stream.id}/stop`, { json: {} });
    expect(answer.statusCode).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'ActionNotAllowed', status: 'FAILED' });
  });

  it('answers 400 naming a field the stop body does not take', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'RUNNING' }));
    const answer = await api.call('POST', `/streams/${stream.id}/stop`, { json: { now: true } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([{ field: 'now', reason: 'is not a known field' }]);
    expect((await api.store.get(stream.id)).status).toBe('RUNNING');
  });
});

describe('DELETE /streams/{id}', () => {
  it('answers 409 for a RUNNING stream without force, saying how to force it', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'RUNNING' }));
    const answer = await api.call('DELETE', `/streams/${stream.id}`);
    expect(answer.statusCode).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'ActionNotAllowed', status: 'RUNNING' });
    expect(answer.body.error.message).toContain('force=true');
  });

  it("answers 409 while the stream's workflow runs, even with force, naming it and what to do", async () => {
    const stream = await api.seed(aKeyedStream({ status: 'STARTING', execution: PREVIOUS_EXECUTION }));
    api.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });

    const answer = await api.call('DELETE', `/streams/${stream.id}`, { query: { force: 'true' } });

    expect(answer.statusCode).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'ActionNotAllowed', status: 'STARTING' });
    expect(answer.body.error.message).toContain(
      `its ${PREVIOUS_EXECUTION.action} workflow (${PREVIOUS_EXECUTION.name}) is running`,
    );
    expect(answer.body.error.message).not.toMatch(/^.*delete with \?force=true to stop and delete/);
    expect(api.sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, {
      executionArn: PREVIOUS_EXECUTION.arn,
    });
    expect(await api.store.get(stream.id)).toEqual(stream);
    api.resetSfn();
  });

  it('deletes with force a stream a cut-short run left STARTING, once its execution has ended', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'STARTING', execution: PREVIOUS_EXECUTION }));
    api.sfn.on(DescribeExecutionCommand).resolves({ status: 'ABORTED' });

    const answer = await api.call('DELETE', `/streams/${stream.id}`, { query: { force: 'true' } });

    expect(answer.statusCode).toBe(202);
    expect(answer.body.status).toBe('DELETING');
    api.resetSfn();
  });

  it('treats force=false like no force', async () => {
    const stream = await api.seed(aKeyedStream({ status: 'RUNNING' }));
    const answer = await api.call('DELETE', `/streams/${stream.id}`, { query: { force: 'false' } });
    expect(answer.statusCode).toBe(409);
  });

  it.each([['yes'], ['1'], ['TRUE']])('answers 400 on force=%s', async (force) => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('DELETE', `/streams/${stream.id}`, { query: { force } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual(['force']);
  });

  it('answers 400 when a body is sent', async () => {
    const stream = await api.seed(aKeyedStream());
    const answer = await api.call('DELETE', `/streams/${stream.id}`, { json: { force: true } });
    expect(answer.statusCode).toBe(400);
    expect((await api.store.get(stream.id)).status).toBe('IDLE');
  });
});

describe('/streams/{id}/live without CloudFront', () => {
  it.each([
    ['POST', { json: {} }],
    ['DELETE', {}],
  ] as const)('%s answers 409 FeatureNotConfigured and changes nothing', async (method, options) => {
    const noCdn = api.withConfig({ cloudfront: false });
    const stream = await api.seed(aKeyedStream());
    const answer = await noCdn.call(method, `/streams/${stream.id}/live`, options);
    expect(answer.statusCode).toBe(409);
    expectErrorShape(answer);
    expect(answer.body.error.code).toBe('FeatureNotConfigured');
    expect(answer.body.error.message).toContain('cloudfront');
    expect(await api.store.get(stream.id)).toEqual(stream);
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});
