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

let running: RunningLocalSfn | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await removeDataDirs();
});

async function runToEnd(
  machine: LocalStateMachine,
  invokeLambda: InvokeLambda,
  input: object,
  waitTimeScale: number,
) {
  running = await startLocalSfn({ stateMachines: [machine], invokeLambda, waitTimeScale });
  const { client, sfn } = running;
  const startedAt = Date.now();
  const { executionArn } = await client.send(
    new StartExecutionCommand({ stateMachineArn: machine.arn, input: JSON.stringify(input) }),
  );
  await sfn.waitForExecution(executionArn!, 15_000);
  const elapsedMs = Date.now() - startedAt;
  const described = await client.send(new DescribeExecutionCommand({ executionArn }));
  const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return { described, events: events ?? [], elapsedMs };
}

/** The job-poller pattern the lifecycle workflows use: describe, check, wait, loop. */
const waitForRunning = aMachine('WaitForRunning', {
  StartAt: 'Describe channel',
  States: {
    'Describe channel': lambdaInvokeTask('describe-channel', {
      ResultSelector: { 'state.$': '$.Payload.state' },
      ResultPath: '$.channel',
      Next: 'Is channel running?',
    }),
    'Is channel running?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.channel.state', StringEquals: 'RUNNING', Next: 'Channel is running' }],
      Default: 'Wait before describing again',
    },
    'Wait before describing again': { Type: 'Wait', Seconds: 10, Next: 'Describe channel' },
    'Channel is running': { Type: 'Succeed' },
  },
});

describe('waits and control flow in local Step Functions', () => {
  it('runs a Wait loop with every wait scaled by waitTimeScale', async () => {
    let describes = 0;
    const invoke: InvokeLambda = async () => {
      describes += 1;
      return { state: describes < 4 ? 'STARTING' : 'RUNNING' };
    };

    // Three 10 s waits at 0.01: 0.3 s instead of 30 s.
    const { described, events, elapsedMs } = await runToEnd(
      waitForRunning,
      invoke,
      { channelId: 'c1' },
      0.01,
    );

    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ channelId: 'c1', channel: { state: 'RUNNING' } });
    expect(describes).toBe(4);
    expect(elapsedMs).toBeGreaterThanOrEqual(300);
    expect(elapsedMs).toBeLessThan(10_000);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'WaitStateEntered')).toHaveLength(3);
    expect(types.filter((t) => t === 'WaitStateExited')).toHaveLength(3);
    expect(types.filter((t) => t === 'ChoiceStateEntered')).toHaveLength(4);
    // lambda:invoke tasks show as Task* events; Wait states never do, though they run as tasks inside.
    expect(types.filter((t) => t === 'TaskScheduled')).toHaveLength(4);
    const waitEntered = events.find((e) => e.type === 'WaitStateEntered');
    expect(waitEntered?.stateEnteredEventDetails?.name).toBe('Wait before describing again');
    expect(types.slice(-2)).toEqual(['SucceedStateExited', 'ExecutionSucceeded']);
  });

  it('scales SecondsPath and TimestampPath waits, keeping InputPath and OutputPath', async () => {
    const machine = aMachine('DynamicWaits', {
      StartAt: 'Wait the given seconds',
      States: {
        'Wait the given seconds': {
          Type: 'Wait',
          InputPath: '$.schedule',
          SecondsPath: '$.delay',
          Next: 'Wait until the given time',
        },
        'Wait until the given time': {
          Type: 'Wait',
          TimestampPath: '$.at',
          OutputPath: '$.at',
          End: true,
        },
      },
    });
    const at = new Date(Date.now() + 20_000).toISOString();

    // 20 s + ~20 s at 0.02: about 0.8 s.
    const { described, elapsedMs } = await runToEnd(
      machine,
      async () => null,
      { schedule: { delay: 20, at }, other: true },
      0.02,
    );

    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toBe(at);
    expect(elapsedMs).toBeGreaterThanOrEqual(700);
    expect(elapsedMs).toBeLessThan(12_000);
  });

  it('fails with States.Runtime when SecondsPath does not point to a number', async () => {
    const machine = aMachine('BadWait', {
      StartAt: 'Wait',
      States: { Wait: { Type: 'Wait', SecondsPath: '$.delay', End: true } },
    });
    const { described } = await runToEnd(machine, async () => null, { delay: 'soon' }, 0.01);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.Runtime');
  });

  it('runs a Map state over items and records the iterations', async () => {
    const machine = aMachine('Clips', {
      StartAt: 'Cut every clip',
      States: {
        'Cut every clip': {
          Type: 'Map',
          ItemsPath: '$.clips',
          MaxConcurrency: 2,
          ItemProcessor: {
            StartAt: 'Cut clip',
            States: { 'Cut clip': { Type: 'Task', Resource: functionArn('cut'), End: true } },
          },
          ResultPath: '$.cut',
          End: true,
        },
      },
    });
    const invoke: InvokeLambda = async (_arn, clip) => ({ cut: (clip as { start: number }).start });

    const { described, events } = await runToEnd(
      machine,
      invoke,
      { clips: [{ start: 0 }, { start: 10 }, { start: 20 }] },
      1,
    );

    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!).cut).toEqual([{ cut: 0 }, { cut: 10 }, { cut: 20 }]);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['ExecutionStarted', 'MapStateEntered', 'MapStateStarted']);
    expect(events[2]?.mapStateStartedEventDetails).toEqual({ length: 3 });
    expect(types.filter((t) => t === 'MapIterationStarted')).toHaveLength(3);
    expect(types.filter((t) => t === 'MapIterationSucceeded')).toHaveLength(3);
    expect(types.filter((t) => t === 'LambdaFunctionSucceeded')).toHaveLength(3);
    expect(types.slice(-3)).toEqual(['MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
    const iterations = events
      .filter((e) => e.type === 'MapIterationStarted')
      .map((e) => e.mapIterationStartedEventDetails);
    expect(iterations).toEqual([
      { name: 'Cut every clip', index: 0 },
      { name: 'Cut every clip', index: 1 },
      { name: 'Cut every clip', index: 2 },
    ]);
  });

  it('runs Parallel branches and records the Parallel state events', async () => {
    const machine = aMachine('Cleanup', {
      StartAt: 'Clean up',
      States: {
        'Clean up': {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Delete endpoint',
              States: { 'Delete endpoint': { Type: 'Pass', Result: 'endpoint', End: true } },
            },
            {
              StartAt: 'Delete channel',
              States: { 'Delete channel': { Type: 'Pass', Result: 'channel', End: true } },
            },
          ],
          End: true,
        },
      },
    });
    const { described, events } = await runToEnd(machine, async () => null, {}, 1);
    expect(described.output).toBe('["endpoint","channel"]');
    const types = events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['ExecutionStarted', 'ParallelStateEntered', 'ParallelStateStarted']);
    expect(types.slice(-3)).toEqual(['ParallelStateSucceeded', 'ParallelStateExited', 'ExecutionSucceeded']);
    expect(types.filter((t) => t === 'PassStateEntered')).toHaveLength(2);
  });

  it('puts a falsy Pass Result where ResultPath says (the interpreter alone would pass the input on)', async () => {
    const machine = aMachine('FalsyPass', {
      StartAt: 'Mark not started',
      States: {
        'Mark not started': { Type: 'Pass', Result: false, ResultPath: '$.started', Next: 'Zero clips' },
        'Zero clips': { Type: 'Pass', Result: 0, ResultPath: '$.clips', End: true },
      },
    });
    const { described, events } = await runToEnd(machine, async () => null, { id: 's1' }, 1);
    expect(JSON.parse(described.output!)).toEqual({ id: 's1', started: false, clips: 0 });
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('gives tasks the Context Object: execution id, name and state machine', async () => {
    const machine = aMachine('Context', {
      StartAt: 'Remember execution',
      States: {
        'Remember execution': {
          Type: 'Pass',
          Parameters: {
            'id.$': '$$.Execution.Id',
            'name.$': '$$.Execution.Name',
            'machine.$': '$$.StateMachine.Name',
          },
          End: true,
        },
      },
    });
    running = await startLocalSfn({ stateMachines: [machine] });
    const { executionArn } = await running.client.send(
      new StartExecutionCommand({ stateMachineArn: machine.arn, name: 'stream-1-start-abc' }),
    );
    const result = await running.sfn.waitForExecution(executionArn!);
    expect(JSON.parse(result.output!)).toEqual({
      id: executionArn,
      name: 'stream-1-start-abc',
      machine: 'Context',
    });
  });
});
