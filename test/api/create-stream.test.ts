import { ExecutionLimitExceeded, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHarness, expectErrorShape, MACHINES, startApi } from './api-harness.js';

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api.close());
beforeEach(() => api.resetSfn());

const EXECUTION_NAME = /^[0-9A-F]{16}-create-\d{8}-\d{6}-[0-9a-f]{6}$/;

describe('POST /streams', () => {
  it('answers 202 with the new record in CREATING and the seed defaults', async () => {
    const answer = await api.call('POST', '/streams', { json: { name: 'Keynote' } });
    expect(answer.statusCode).toBe(202);
    expect(answer.body).toMatchObject({
      name: 'Keynote',
      description: '',
      status: 'CREATING',
      version: 0,
      segment_length: 300,
      startover_window_seconds: 3600,
      key_rotation_interval: null,
      channel_class: 'STANDARD',
      rtmp1: null,
      rtmp2: null,
      archives_path: {},
      started: false,
      cloudfront_associated: false,
      error: null,
    });
    expect(answer.body.id).toMatch(/^[0-9A-F]{16}$/);
    expect(await api.store.get(answer.body.id)).toEqual(answer.body);
  });

  it('starts CreateStream with the exact machine ARN, a readable unique name and the input', async () => {
    const answer = await api.call('POST', '/streams', {
      json: { name: 'Keynote' },
      requestId: 'req-create-1',
    });
    const id = answer.body.id as string;
    const name = answer.body.execution.name as string;
    expect(name).toMatch(EXECUTION_NAME);
    expect(name.startsWith(`${id}-create-`)).toBe(true);
    expect(answer.body.execution).toEqual({
      action: 'create',
      name,
      arn: `arn:aws:states:us-east-1:123456789012:execution:CreateStream:${name}`,
      started_at: answer.body.created_at,
    });
    expect(api.sfn).toHaveReceivedCommandExactlyOnceWith(StartExecutionCommand, {
      stateMachineArn: MACHINES.create,
      name,
    });
    const input = JSON.parse(api.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '');
    expect(input).toEqual({
      stream_id: id,
      action: 'create',
      options: {},
      requested_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      request_id: 'req-create-1',
    });
  });

  it('gives every create its own stream id and execution name', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => api.call('POST', '/streams', { json: { name: 'same name' } })),
    );
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(5);
    expect(new Set(answers.map((a) => a.body.execution.name)).size).toBe(5);
    expect(api.sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 5);
  });

  it('keeps every field the body sets', async () => {
    const body = {
      name: 'Class',
      description: 'Room 2',
      segment_length: 10,
      channel_class: 'SINGLE_PIPELINE',
      startover_window_seconds: 0,
      max_duration_seconds: 7200,
      stop_after_input_loss_seconds: 600,
    };
    const answer = await api.call('POST', '/streams', { json: body });
    expect(answer.statusCode).toBe(202);
    expect(answer.body).toMatchObject(body);
  });

  it('trims the name', async () => {
    const answer = await api.call('POST', '/streams', { json: { name: '  Keynote  ' } });
    expect(answer.body.name).toBe('Keynote');
  });

  it("applies the deployment's default auto-stop guard", async () => {
    const guarded = api.withConfig({ defaultMaxDurationSeconds: 14_400 });
    const answer = await guarded.call('POST', '/streams', { json: { name: 'Keynote' } });
    expect(answer.body.max_duration_seconds).toBe(14_400);
  });

  it('answers 400 on key_rotation_interval when HLS encryption is not configured', async () => {
    const answer = await api.call('POST', '/streams', {
      json: { name: 'Keynote', key_rotation_interval: 60 },
    });
    expect(answer.statusCode).toBe(400);
    expectErrorShape(answer);
    expect(answer.body.error.details).toEqual([
      { field: 'key_rotation_interval', reason: 'HLS encryption is not configured on this deployment' },
    ]);
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('defaults key_rotation_interval to 60 when HLS encryption is configured, and keeps a given value', async () => {
    const encrypted = api.withConfig({ encryption: true });
    expect(
      (await encrypted.call('POST', '/streams', { json: { name: 'a' } })).body.key_rotation_interval,
    ).toBe(60);
    const given = await encrypted.call('POST', '/streams', {
      json: { name: 'b', key_rotation_interval: 300 },
    });
    expect(given.body.key_rotation_interval).toBe(300);
  });

  it('accepts an empty body as an empty object and names the missing field', async () => {
    const answer = await api.call('POST', '/streams', { body: '' });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([{ field: 'name', reason: expect.any(String) }]);
  });

  it.each([
    ['name is missing', { description: 'x' }, 'name'],
    ['name is empty', { name: '' }, 'name'],
    ['name is only spaces', { name: '   ' }, 'name'],
    ['name is too long', { name: 'n'.repeat(129) }, 'name'],
    ['name is not a string', { name: 42 }, 'name'],
    ['description is too long', { name: 'a', description: 'd'.repeat(1025) }, 'description'],
    ['description is not a string', { name: 'a', description: ['x'] }, 'description'],
    ['segment_length is 0', { name: 'a', segment_length: 0 }, 'segment_length'],
    ['segment_length is not an integer', { name: 'a', segment_length: 2.5 }, 'segment_length'],
    ['segment_length is a string', { name: 'a', segment_length: '300' }, 'segment_length'],
    ['segment_length is over a day', { name: 'a', segment_length: 86_401 }, 'segment_length'],
    ['channel_class is unknown', { name: 'a', channel_class: 'DOUBLE' }, 'channel_class'],
    [
      'startover_window_seconds is negative',
      { name: 'a', startover_window_seconds: -1 },
      'startover_window_seconds',
    ],
    [
      'startover_window_seconds is over 14 days',
      { name: 'a', startover_window_seconds: 1_209_601 },
      'startover_window_seconds',
    ],
    [
      'max_duration_seconds is under a minute',
      { name: 'a', max_duration_seconds: 59 },
      'max_duration_seconds',
    ],
    [
      'stop_after_input_loss_seconds is under 30',
      { name: 'a', stop_after_input_loss_seconds: 29 },
      'stop_after_input_loss_seconds',
    ],
    ['a field is unknown', { name: 'a', rtmp1: 'rtmp://evil/key' }, 'rtmp1'],
    ['a field is null', { name: null }, 'name'],
  ])('answers 400 naming the field when %s', async (_, body, field) => {
    const answer = await api.call('POST', '/streams', { json: body });
    expect(answer.statusCode).toBe(400);
    expectErrorShape(answer);
    expect(answer.body.error.code).toBe('InvalidRequest');
    expect(answer.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
    expect(answer.body.error.message).toContain(field);
    expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it.each([
    ['name', { name: 'surrogate-1 \uD800' }],
    ['name', { name: '\uDC00 surrogate-2' }],
    ['description', { name: 'surrogate-3', description: 'room \uDBFF' }],
  ])(
    'answers 400 naming %s when it holds an unpaired surrogate, and creates nothing',
    async (field, body) => {
      const raw = JSON.stringify(body);
      expect(raw).toMatch(/\\ud[89ab]|\\udc/i);
      const answer = await api.call('POST', '/streams', {
        body: raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.statusCode).toBe(400);
      expectErrorShape(answer);
      expect(answer.body.error.details).toEqual([
        { field, reason: 'is not valid Unicode (it has an unpaired surrogate)' },
      ]);
      expect(api.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
      const names: string[] = [];
      let token: string | null = null;
      do {
        const page = await api.store.list({ limit: 100, ...(token ? { next_token: token } : {}) });
        names.push(...page.items.map((s) => s.name));
        token = page.next_token;
      } while (token);
      expect(names.filter((n) => n.includes('surrogate-'))).toEqual([]);
    },
  );

  it('keeps a name with characters beyond the BMP (surrogate pairs)', async () => {
    const answer = await api.call('POST', '/streams', { json: { name: 'Live 🎥 𝄞', description: '😀' } });
    expect(answer.statusCode).toBe(202);
    expect(answer.body.name).toBe('Live 🎥 𝄞');
    expect(answer.body.description).toBe('😀');
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"stream"'],
    ['null', 'null'],
    ['a number', '12'],
  ])('answers 400 on the body when it is %s', async (_, body) => {
    const answer = await api.call('POST', '/streams', {
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([{ field: 'body', reason: expect.any(String) }]);
  });

  it('answers 400 saying the body is not valid JSON', async () => {
    const answer = await api.call('POST', '/streams', {
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details[0].field).toBe('body');
    expect(answer.body.error.details[0].reason).toMatch(/^is not valid JSON/);
  });

  it('answers 400 listing every bad field at once', async () => {
    const answer = await api.call('POST', '/streams', {
      json: { name: '', segment_length: -1, colour: 'red' },
    });
    expect(answer.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'colour',
      'name',
      'segment_length',
    ]);
  });

  it.each([
    [
      'ExecutionLimitExceeded',
      () => new ExecutionLimitExceeded({ message: 'too many executions', $metadata: {} }),
    ],
    [
      'StateMachineDoesNotExist',
      () => new StateMachineDoesNotExist({ message: 'no machine', $metadata: {} }),
    ],
  ])('answers 503 and leaves no record when StartExecution fails with %s', async (_, failure) => {
    const fresh = await startApi();
    try {
      fresh.sfn.on(StartExecutionCommand).rejects(failure());
      const answer = await fresh.call('POST', '/streams', { json: { name: 'Keynote' } });
      expect(answer.statusCode).toBe(503);
      expectErrorShape(answer);
      expect(answer.body.error.code).toBe('WorkflowStartFailed');
      expect(answer.body.error.message).toContain('nothing was created');
      const input = JSON.parse(fresh.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}');
      expect(await fresh.store.find(input.stream_id)).toBeUndefined();
      expect((await fresh.call('GET', '/streams')).body).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});
