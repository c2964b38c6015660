import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import type { InvokeLambda, LocalStateMachine } from '../../../../infra/local/stepfunctions/index.js';
import {
  aMachine,
  functionArn,
  lambdaInvokeTask,
  type RunningLocalSfn,
  removeDataDirs,
  startLocalSfn,
} from './local-sfn-fixture.js';

class ChannelNotIdle extends Error {
  override name = 'ChannelNotIdle';
}

let running: RunningLocalSfn | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await removeDataDirs();
});

async function runToEnd(machine: LocalStateMachine, invokeLambda: InvokeLambda, input: object = {}) {
  running = await startLocalSfn({ stateMachines: [machine], invokeLambda, waitTimeScale: 0.001 });
  const { client, sfn } = running;
  const startedAt = Date.now();
  const { executionArn } = await client.send(
    new StartExecutionCommand({ stateMachineArn: machine.arn, input: JSON.stringify(input) }),
  );
  await sfn.waitForExecution(executionArn!, 10_000);
  const elapsedMs = Date.now() - startedAt;
  const described = await client.send(new DescribeExecutionCommand({ executionArn }));
  const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return { described, events: events ?? [], elapsedMs };
}

/** Fails with `error` the first `failures` times, then answers `{ ok: true, attempt }`. */
function failingThenOk(failures: number, error: () => Error) {
  const calls: unknown[] = [];
  const invoke: InvokeLambda = async (_arn, payload) => {
    calls.push(payload);
    if (calls.length <= failures) throw error();
    return { ok: true, attempt: calls.length };
  };
  return { invoke, calls };
}

describe('task errors in local Step Functions', () => {
  it('retries a task on its named error and succeeds the second time', async () => {
    const machine = aMachine('StartChannel', {
      StartAt: 'Start channel',
      States: {
        'Start channel': lambdaInvokeTask('start', {
          OutputPath: '$.Payload',
          Retry: [{ ErrorEquals: ['ChannelNotIdle'], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 2 }],
          End: true,
        }),
      },
    });
    const { invoke, calls } = failingThenOk(1, () => new ChannelNotIdle('channel is STARTING'));

    const { described, events, elapsedMs } = await runToEnd(machine, invoke, { channelId: '42' });

    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ ok: true, attempt: 2 });
    expect(calls).toEqual([{ channelId: '42' }, { channelId: '42' }]);
    // IntervalSeconds 30 scaled by 0.001: 30 ms, not 30 s.
    expect(elapsedMs).toBeLessThan(8000);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const failed = events[4]?.taskFailedEventDetails;
    expect(failed).toMatchObject({ resourceType: 'lambda', resource: 'invoke', error: 'ChannelNotIdle' });
    expect(JSON.parse(failed?.cause ?? '{}')).toMatchObject({
      errorType: 'ChannelNotIdle',
      errorMessage: 'channel is STARTING',
    });
  });

  it('fails the execution when the retries run out, with the last error', async () => {
    const machine = aMachine('GivesUp', {
      StartAt: 'Start channel',
      States: {
        'Start channel': lambdaInvokeTask('start', {
          Retry: [{ ErrorEquals: ['ChannelNotIdle'], IntervalSeconds: 1, MaxAttempts: 2 }],
          End: true,
        }),
      },
    });
    const { invoke, calls } = failingThenOk(10, () => new ChannelNotIdle('still busy'));

    const { described } = await runToEnd(machine, invoke);

    expect(calls).toHaveLength(3);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('ChannelNotIdle');
    expect(JSON.parse(described.cause!)).toMatchObject({
      errorType: 'ChannelNotIdle',
      errorMessage: 'still busy',
    });
  });

  it('catches a named error and continues at the Catch target with the error in ResultPath', async () => {
    const machine = aMachine('CatchIt', {
      StartAt: 'Start channel',
      States: {
        'Start channel': lambdaInvokeTask('start', {
          Catch: [{ ErrorEquals: ['ChannelNotIdle'], ResultPath: '$.error', Next: 'Record failure' }],
          End: true,
        }),
        'Record failure': { Type: 'Pass', End: true },
      },
    });
    const invoke: InvokeLambda = async () => {
      throw new ChannelNotIdle('channel is RUNNING');
    };

    const { described, events } = await runToEnd(machine, invoke, { id: 's1' });

    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output!) as { id: string; error: { Error: string; Cause: string } };
    expect(output.id).toBe('s1');
    expect(output.error.Error).toBe('ChannelNotIdle');
    expect(JSON.parse(output.error.Cause)).toMatchObject({
      errorType: 'ChannelNotIdle',
      errorMessage: 'channel is RUNNING',
    });
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('catches any task error with States.ALL but not with a Catch on another name', async () => {
    const machine = aMachine('CatchAll', {
      StartAt: 'Do it',
      States: {
        'Do it': {
          Type: 'Task',
          Resource: functionArn('do'),
          Catch: [
            { ErrorEquals: ['StreamNotFound'], Next: 'Not found' },
            { ErrorEquals: ['States.ALL'], Next: 'Anything else' },
          ],
          End: true,
        },
        'Not found': { Type: 'Pass', Result: 'not found', End: true },
        'Anything else': { Type: 'Pass', Result: 'anything else', End: true },
      },
    });
    const { described } = await runToEnd(machine, async () => {
      throw new TypeError('boom');
    });
    expect(described.status).toBe('SUCCEEDED');
    expect(described.output).toBe('"anything else"');
  });

  it('retries Lambda service errors such as Lambda.TooManyRequestsException, as CDK LambdaInvoke asks', async () => {
    const machine = aMachine('Throttled', {
      StartAt: 'Describe channel',
      States: {
        'Describe channel': lambdaInvokeTask('describe', {
          ResultSelector: { 'attempt.$': '$.Payload.attempt' },
          Retry: [
            {
              ErrorEquals: [
                'Lambda.ClientExecutionTimeoutException',
                'Lambda.ServiceException',
                'Lambda.TooManyRequestsException',
              ],
              IntervalSeconds: 2,
              MaxAttempts: 6,
              BackoffRate: 2,
            },
          ],
          End: true,
        }),
      },
    });
    const throttle = (): Error =>
      Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
    const { invoke, calls } = failingThenOk(2, throttle);

    const { described, events } = await runToEnd(machine, invoke);

    expect(calls).toHaveLength(3);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ attempt: 3 });
    const failure = events.find((e) => e.type === 'TaskFailed')?.taskFailedEventDetails;
    expect(failure).toMatchObject({ error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' });
  });

  it('wraps a lambda:invoke result like the SDK response, with the function result in Payload', async () => {
    const machine = aMachine('Wrapped', {
      StartAt: 'Create input',
      States: { 'Create input': lambdaInvokeTask('create-input', { End: true }) },
    });
    const { described } = await runToEnd(machine, async (arn, payload) => ({ arn, payload }), { name: 'in' });

    const output = JSON.parse(described.output!);
    expect(output).toMatchObject({
      ExecutedVersion: '$LATEST',
      StatusCode: 200,
      Payload: { arn: functionArn('create-input'), payload: { name: 'in' } },
      SdkHttpMetadata: { HttpStatusCode: 200 },
    });
    expect(output.SdkResponseMetadata.RequestId).toEqual(expect.any(String));
  });

  it('passes a function-ARN task result through unwrapped (payloadResponseOnly)', async () => {
    const machine = aMachine('Unwrapped', {
      StartAt: 'Update record',
      States: {
        'Update record': {
          Type: 'Task',
          Resource: functionArn('update'),
          Parameters: { 'id.$': '$.stream.id', status: 'IDLE' },
          ResultPath: '$.update',
          End: true,
        },
      },
    });
    const { described } = await runToEnd(machine, async (_arn, payload) => ({ got: payload }), {
      stream: { id: 's9' },
    });
    expect(JSON.parse(described.output!)).toEqual({
      stream: { id: 's9' },
      update: { got: { id: 's9', status: 'IDLE' } },
    });
  });

  it('fails with the error and cause of a Fail state', async () => {
    const machine = aMachine('Failing', {
      StartAt: 'Channel failed',
      States: {
        'Channel failed': {
          Type: 'Fail',
          Error: 'ChannelCreateFailed',
          Cause: 'MediaLive said CREATE_FAILED',
        },
      },
    });
    const { described, events } = await runToEnd(machine, async () => null);
    expect(described).toMatchObject({
      status: 'FAILED',
      error: 'ChannelCreateFailed',
      cause: 'MediaLive said CREATE_FAILED',
    });
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });

  it('reports no error and no cause for a Fail state that gives none, like AWS', async () => {
    const machine = aMachine('BareFail', {
      StartAt: 'Stop here',
      States: { 'Stop here': { Type: 'Fail' } },
    });
    const { described } = await runToEnd(machine, async () => null);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBeUndefined();
    expect(described.cause).toBeUndefined();
  });

  it('times the execution out after the machine TimeoutSeconds: TIMED_OUT', async () => {
    const machine = aMachine('TooSlow', {
      TimeoutSeconds: 1,
      StartAt: 'Slow task',
      States: { 'Slow task': { Type: 'Task', Resource: functionArn('slow'), End: true } },
    });
    const { described, events } = await runToEnd(
      machine,
      () => new Promise((resolve) => setTimeout(() => resolve('late'), 5000)),
    );
    expect(described.status).toBe('TIMED_OUT');
    expect(described.error).toBe('States.Timeout');
    expect(events.at(-1)?.type).toBe('ExecutionTimedOut');
    expect(described.stopDate!.getTime() - described.startDate!.getTime()).toBeLessThan(4000);
  });

  it('times a task out after its TimeoutSeconds with States.Timeout, which Catch can handle', async () => {
    const machine = aMachine('TaskTimeout', {
      StartAt: 'Slow task',
      States: {
        'Slow task': {
          Type: 'Task',
          Resource: functionArn('slow'),
          TimeoutSeconds: 1,
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Timed out' }],
          End: true,
        },
        'Timed out': { Type: 'Pass', Result: 'gave up', End: true },
      },
    });
    const { described, events } = await runToEnd(
      machine,
      () => new Promise((resolve) => setTimeout(() => resolve('late'), 4000)),
    );
    expect(described.output).toBe('"gave up"');
    expect(events.map((e) => e.type)).toContain('LambdaFunctionTimedOut');
    expect(events.map((e) => e.type)).not.toContain('LambdaFunctionSucceeded');
  });

  it('fails with States.Runtime on a resource it cannot run, and States.ALL does not catch it', async () => {
    const machine = aMachine('Unsupported', {
      StartAt: 'Put event',
      States: {
        'Put event': {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: { Entries: [] },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });
    const { described } = await runToEnd(machine, async () => null);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.Runtime');
    expect(described.cause).toContain('invokeServiceIntegration');
  });

  it('sends other service integrations to invokeServiceIntegration, named errors included', async () => {
    const machine = aMachine('Integration', {
      StartAt: 'Put event',
      States: {
        'Put event': {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: { Entries: [{ 'Detail.$': '$' }] },
          Retry: [{ ErrorEquals: ['EventBridge.InternalException'], IntervalSeconds: 1 }],
          End: true,
        },
      },
    });
    const seen: Array<[string, unknown]> = [];
    running = await startLocalSfn({
      stateMachines: [machine],
      waitTimeScale: 0.001,
      invokeServiceIntegration: async (resource, parameters) => {
        seen.push([resource, parameters]);
        if (seen.length === 1)
          throw Object.assign(new Error('try again'), { name: 'EventBridge.InternalException' });
        return { FailedEntryCount: 0 };
      },
    });
    const { executionArn } = await running.client.send(
      new StartExecutionCommand({ stateMachineArn: machine.arn, input: '{"status":"IDLE"}' }),
    );
    const result = await running.sfn.waitForExecution(executionArn!);
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output!)).toEqual({ FailedEntryCount: 0 });
    expect(seen).toEqual([
      ['arn:aws:states:::events:putEvents', { Entries: [{ Detail: { status: 'IDLE' } }] }],
      ['arn:aws:states:::events:putEvents', { Entries: [{ Detail: { status: 'IDLE' } }] }],
    ]);
  });
});
