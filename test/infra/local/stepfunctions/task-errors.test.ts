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
  const { executionArn } = await client.send(
    new StartExecutionCommand({ stateMachineArn: machine.arn, input: JSON.stringify(input) }),
  );
  await sfn.waitForExecution(executionArn!, 10_000);
  const described = await client.send(new DescribeExecutionCommand({ executionArn }));
  const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return { described, events: events ?? [] };
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
        'Start channel': {
          Type: 'Task',
          Resource: functionArn('start'),
          Retry: [{ ErrorEquals: ['ChannelNotIdle'], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 2 }],
          End: true,
        },
      },
    });
    const { invoke, calls } = failingThenOk(1, () => new ChannelNotIdle('channel is STARTING'));

    // IntervalSeconds 30 is scaled by 0.001: the retry comes 30 ms later, not 30 s.
    const { described, events } = await runToEnd(machine, invoke, { channelId: '42' });

    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ ok: true, attempt: 2 });
    expect(calls).toEqual([{ channelId: '42' }, { channelId: '42' }]);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const failed = events[4]?.lambdaFunctionFailedEventDetails;
    expect(failed).toMatchObject({ error: 'ChannelNotIdle' });
    expect(JSON.parse(failed?.cause ?? '{}')).toMatchObject({
      errorType: 'ChannelNotIdle',
      errorMessage: 'channel is STARTING',
    });
  });

  it('fails the execution when the retries run out, with the last error', async () => {
    const machine = aMachine('GivesUp', {
      StartAt: 'Start channel',
      States: {
        'Start channel': {
          Type: 'Task',
          Resource: functionArn('start'),
          Retry: [{ ErrorEquals: ['ChannelNotIdle'], IntervalSeconds: 1, MaxAttempts: 2 }],
          End: true,
        },
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
        'Start channel': {
          Type: 'Task',
          Resource: functionArn('start'),
          Catch: [{ ErrorEquals: ['ChannelNotIdle'], ResultPath: '$.error', Next: 'Record failure' }],
          End: true,
        },
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
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
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
    expect(described.cause).toContain('Lambda function ARNs only');
  });
});
