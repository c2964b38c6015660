import {
  ExecutionLimitExceeded,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamRecord, StreamStatus } from '../../core/stream.js';
import { type ApiHarness, aKeyedStream, type CallOptions, startApi, streamKeyOf } from './api-harness.js';

let api: ApiHarness;
const secrets: string[] = [];
const streams = new Map<StreamStatus, StreamRecord>();

beforeAll(async () => {
  api = await startApi();
  for (const status of ['IDLE', 'RUNNING', 'STARTING', 'FAILED', 'CREATING'] as StreamStatus[]) {
    const stream = await api.seed(aKeyedStream({ status, archives_path: { S1: 's3://archive/S1' } }));
    await api.store.putSession(stream.id, {
      id: 'S1',
      prefix: 'S1',
      uri: 's3://archive/S1',
      started_at: '2026-01-01T00:00:00.000Z',
      stopped_at: null,
      segment_length: 10,
      channel_class: 'STANDARD',
    });
    streams.set(status, stream);
    secrets.push(streamKeyOf(stream.rtmp1), streamKeyOf(stream.rtmp2));
  }
});
afterAll(async () => api.close());

const id = (status: StreamStatus) => streams.get(status)?.id as string;

interface Step {
  what: string;
  method: string;
  path: () => string;
  options?: CallOptions;
  before?: () => void;
}

/** Every route, in success and in failure, including the paths that log at ERROR. */
const STEPS: Step[] = [
  { what: 'create', method: 'POST', path: () => '/streams', options: { json: { name: 'Logged' } } },
  { what: 'create, invalid', method: 'POST', path: () => '/streams', options: { json: { name: '' } } },
  {
    what: 'create, StartExecution fails',
    method: 'POST',
    path: () => '/streams',
    options: { json: { name: 'Doomed' } },
    before: () =>
      api.sfn
        .on(StartExecutionCommand)
        .rejectsOnce(new ExecutionLimitExceeded({ message: 'limit', $metadata: {} })),
  },
  { what: 'list', method: 'GET', path: () => '/streams' },
  {
    what: 'list, bad token',
    method: 'GET',
    path: () => '/streams',
    options: { query: { next_token: 'junk' } },
  },
  { what: 'get', method: 'GET', path: () => `/streams/${id('IDLE')}` },
  { what: 'get, unknown', method: 'GET', path: () => '/streams/0000000000000000' },
  {
    what: 'update',
    method: 'POST',
    path: () => `/streams/${id('IDLE')}`,
    options: { json: { name: 'Renamed' } },
  },
  {
    what: 'update, read-only stream key',
    method: 'POST',
    path: () => `/streams/${id('IDLE')}`,
    options: { json: { rtmp1: 'rtmp://198.51.100.7/live/attacker' } },
  },
  {
    what: 'update, echo with keys',
    method: 'POST',
    path: () => `/streams/${id('RUNNING')}`,
    options: { json: { ...streams.get('RUNNING'), description: 'echo' } },
  },
  {
    what: 'start, StartExecution fails',
    method: 'POST',
    path: () => `/streams/${id('IDLE')}/start`,
    options: { json: {} },
    before: () =>
      api.sfn
        .on(StartExecutionCommand)
        .rejectsOnce(new ExecutionLimitExceeded({ message: 'limit', $metadata: {} })),
  },
  { what: 'start', method: 'POST', path: () => `/streams/${id('IDLE')}/start`, options: { json: {} } },
  {
    what: 'start, forbidden',
    method: 'POST',
    path: () => `/streams/${id('RUNNING')}/start`,
    options: { json: {} },
  },
  { what: 'stop', method: 'POST', path: () => `/streams/${id('RUNNING')}/stop`, options: { json: {} } },
  { what: 'go live', method: 'POST', path: () => `/streams/${id('FAILED')}/live`, options: { json: {} } },
  { what: 'end live', method: 'DELETE', path: () => `/streams/${id('FAILED')}/live` },
  {
    what: 'split',
    method: 'POST',
    path: () => `/streams/${id('FAILED')}/split`,
    options: { json: { timestamp_list: [{ start: 0, end: 10 }], session_id: 'S1' } },
  },
  {
    what: 'split, workflow unreachable',
    method: 'POST',
    path: () => `/streams/${id('FAILED')}/split`,
    options: { json: { timestamp_list: [{ start: 0, end: 10 }], session_id: 'S1' } },
    before: () =>
      api.sfn
        .on(StartSyncExecutionCommand)
        .rejectsOnce(new ExecutionLimitExceeded({ message: 'x', $metadata: {} })),
  },
  { what: 'sessions', method: 'GET', path: () => `/streams/${id('FAILED')}/sessions` },
  { what: 'delete, forbidden', method: 'DELETE', path: () => `/streams/${id('CREATING')}` },
  {
    what: 'delete',
    method: 'DELETE',
    path: () => `/streams/${id('FAILED')}`,
    options: { query: { force: 'true' } },
  },
  {
    what: 'unsupported media type',
    method: 'POST',
    path: () => '/streams',
    options: { body: '{}', headers: {} },
  },
  {
    what: 'too large',
    method: 'POST',
    path: () => `/streams/${id('STARTING')}/stop`,
    options: { body: 'x'.repeat(70_000) },
  },
  { what: 'wrong method', method: 'PUT', path: () => `/streams/${id('STARTING')}` },
  { what: 'openapi', method: 'GET', path: () => '/openapi.json' },
];

interface Logged {
  step: Step;
  requestId: string;
  streamId: string | undefined;
  lines: Array<Record<string, unknown>>;
  raw: string[];
}

async function runSteps(): Promise<Logged[]> {
  const out: Logged[] = [];
  let n = 0;
  for (const step of STEPS) {
    api.resetSfn();
    step.before?.();
    api.logs.clear();
    const requestId = `log-req-${++n}`;
    const path = step.path();
    const answer = await api.call(step.method, path, { ...step.options, requestId });
    const pathId = /^\/streams\/([^/]+)/.exec(path)?.[1];
    // A create names its stream before it answers (even a 503): the id is in the workflow input.
    const createInput = api.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input;
    const created =
      path === '/streams' && createInput ? (JSON.parse(createInput).stream_id as string) : undefined;
    const streamId = pathId ?? created;
    if (step.what === 'create') expect(created).toBe(answer.body.id);
    out.push({ step, requestId, streamId, lines: api.logs.parsed(), raw: [...api.logs.lines] });
  }
  return out;
}

describe('API logs', () => {
  let logged: Logged[];
  beforeAll(async () => {
    logged = await runSteps();
  });

  it('log something for the requests worth logging (so the checks below check something)', () => {
    const total = logged.reduce((sum, l) => sum + l.lines.length, 0);
    expect(total).toBeGreaterThanOrEqual(15);
    const levels = new Set(logged.flatMap((l) => l.lines.map((line) => line.level)));
    expect(levels).toContain('ERROR');
    expect(levels).toContain('INFO');
  });

  it('never contain a stream key, whatever the route or the failure', () => {
    expect(secrets).toHaveLength(10);
    for (const { raw, step } of logged) {
      for (const line of raw) {
        for (const secret of secrets) expect(line, `${step.what} logged a stream key`).not.toContain(secret);
        expect(line, `${step.what} logged an RTMP URL`).not.toMatch(/rtmp:\/\//);
      }
    }
  });

  it('carry the request id on every line', () => {
    for (const { lines, requestId, step } of logged) {
      for (const line of lines) expect(line.request_id, step.what).toBe(requestId);
    }
  });

  it('carry the stream id on every line of a request about a stream, including a create', () => {
    const withStream = logged.filter((l) => l.streamId !== undefined && l.lines.length > 0);
    expect(withStream.map((l) => l.step.what)).toEqual(
      expect.arrayContaining(['create', 'create, StartExecution fails', 'start', 'stop', 'update']),
    );
    for (const { lines, streamId, step } of withStream) {
      for (const line of lines) expect(line.stream_id, step.what).toBe(streamId);
    }
  });

  it("never carry one request's stream id into the next request", () => {
    for (const { lines, streamId, step } of logged) {
      if (streamId !== undefined) continue;
      for (const line of lines) expect(line.stream_id, step.what).toBeUndefined();
    }
  });

  it('log a failed StartExecution at ERROR with the SDK error name', () => {
    const failed = logged.find((l) => l.step.what === 'start, StartExecution fails');
    const error = failed?.lines.find((line) => line.level === 'ERROR');
    expect(error?.message).toBe('could not start the start workflow');
    expect((error?.error as { name?: string } | undefined)?.name).toBe('ExecutionLimitExceeded');
  });
});
