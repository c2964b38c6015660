import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidExecutionInput,
  InvalidName,
  InvalidToken,
  ListExecutionsCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import {
  aMachine,
  functionArn,
  machineArn,
  type RunningLocalSfn,
  removeDataDirs,
  startLocalSfn,
} from './local-sfn-fixture.js';

const greet = aMachine('Greet', {
  StartAt: 'Say hello',
  States: {
    'Say hello': { Type: 'Task', Resource: functionArn('hello'), End: true },
  },
});

const refuse = aMachine('Refuse', { StartAt: 'No', States: { No: { Type: 'Fail', Error: 'Nope' } } });

/** Waits a long time: for RUNNING executions. */
const linger = aMachine('Linger', {
  StartAt: 'Wait a day',
  States: { 'Wait a day': { Type: 'Wait', Seconds: 86400, End: true } },
});

let running: RunningLocalSfn | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await removeDataDirs();
});

async function start(): Promise<RunningLocalSfn> {
  running = await startLocalSfn({
    stateMachines: [greet, linger, refuse],
    invokeLambda: async (_arn, payload) => ({ greeting: `hello ${(payload as { who: string }).who}` }),
  });
  return running;
}

describe('local Step Functions executions', () => {
  it('starts an execution, describes it when it succeeds and lists it', async () => {
    const { client, sfn } = await start();

    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: greet.arn, name: 'greet-1', input: '{"who":"world"}' }),
    );
    expect(started.executionArn).toBe(`arn:aws:states:us-east-1:123456789012:execution:Greet:greet-1`);
    expect(started.startDate).toBeInstanceOf(Date);
    await sfn.waitForExecution(started.executionArn!);

    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(described).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn: greet.arn,
      name: 'greet-1',
      status: 'SUCCEEDED',
      input: '{"who":"world"}',
      output: '{"greeting":"hello world"}',
    });
    expect(described.stopDate!.getTime()).toBeGreaterThanOrEqual(described.startDate!.getTime());

    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: greet.arn }));
    expect(listed.executions?.map((e) => [e.name, e.status])).toEqual([['greet-1', 'SUCCEEDED']]);
  });

  it('gives an execution started without a name a unique name', async () => {
    const { client } = await start();
    const a = await client.send(
      new StartExecutionCommand({ stateMachineArn: greet.arn, input: '{"who":"a"}' }),
    );
    const b = await client.send(
      new StartExecutionCommand({ stateMachineArn: greet.arn, input: '{"who":"a"}' }),
    );
    expect(a.executionArn).not.toBe(b.executionArn);
  });

  it('records the history of an execution, oldest event first', async () => {
    const { client, sfn } = await start();
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: greet.arn, name: 'history-1', input: '{"who":"you"}' }),
    );
    await sfn.waitForExecution(executionArn!);

    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events?.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events?.map((e) => [e.id, e.previousEventId])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
      [5, 4],
      [6, 5],
      [7, 6],
    ]);
    expect(events?.[0]?.executionStartedEventDetails?.input).toBe('{"who":"you"}');
    expect(events?.[1]?.stateEnteredEventDetails).toEqual({
      name: 'Say hello',
      input: '{"who":"you"}',
      inputDetails: { truncated: false },
    });
    expect(events?.[2]?.lambdaFunctionScheduledEventDetails?.resource).toBe(functionArn('hello'));
    expect(events?.[4]?.lambdaFunctionSucceededEventDetails?.output).toBe('{"greeting":"hello you"}');
    expect(events?.[6]?.executionSucceededEventDetails?.output).toBe('{"greeting":"hello you"}');
    for (const event of events ?? []) expect(event.timestamp).toBeInstanceOf(Date);
  });

  it('answers a repeated start with the same name and input with the same execution while it runs', async () => {
    const { client } = await start();
    const request = { stateMachineArn: linger.arn, name: 'stream-1-start-req-1', input: '{"id":"1"}' };
    const first = await client.send(new StartExecutionCommand(request));
    const again = await client.send(new StartExecutionCommand(request));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: linger.arn }));
    expect(listed.executions).toHaveLength(1);
  });

  it('refuses the same name with a different input: ExecutionAlreadyExists', async () => {
    const { client } = await start();
    await client.send(
      new StartExecutionCommand({ stateMachineArn: linger.arn, name: 'taken', input: '{"a":1}' }),
    );
    await expect(
      client.send(
        new StartExecutionCommand({ stateMachineArn: linger.arn, name: 'taken', input: '{"a":2}' }),
      ),
    ).rejects.toThrow(ExecutionAlreadyExists);
  });

  it('refuses to reuse the name of a closed execution, even with the same input', async () => {
    const { client, sfn } = await start();
    const request = { stateMachineArn: greet.arn, name: 'once', input: '{"who":"x"}' };
    const { executionArn } = await client.send(new StartExecutionCommand(request));
    await sfn.waitForExecution(executionArn!);
    await expect(client.send(new StartExecutionCommand(request))).rejects.toThrow(ExecutionAlreadyExists);
  });

  it('answers StateMachineDoesNotExist for an unknown machine', async () => {
    const { client } = await start();
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: machineArn('Nope') })),
    ).rejects.toThrow(StateMachineDoesNotExist);
  });

  it('answers InvalidExecutionInput when the input is not JSON', async () => {
    const { client } = await start();
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: greet.arn, input: '{not json' })),
    ).rejects.toThrow(InvalidExecutionInput);
  });

  it.each([
    ['too long', 'x'.repeat(81)],
    ['a space', 'has space'],
    ['a slash', 'a/b'],
    ['a colon', 'a:b'],
    ['a control character', 'a\u0001b'],
  ])('answers InvalidName for a name with %s', async (_why, name) => {
    const { client } = await start();
    await expect(
      client.send(new StartExecutionCommand({ stateMachineArn: greet.arn, name })),
    ).rejects.toThrow(InvalidName);
  });

  it('accepts an 80-character name with dashes and underscores', async () => {
    const { client } = await start();
    const name = `${'a-b_'.repeat(19)}abcd`;
    expect(name).toHaveLength(80);
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: linger.arn, name }),
    );
    expect(executionArn?.endsWith(`:${name}`)).toBe(true);
  });

  it('answers ExecutionDoesNotExist for an unknown execution', async () => {
    const { client } = await start();
    const executionArn = `arn:aws:states:us-east-1:123456789012:execution:Greet:never`;
    await expect(client.send(new DescribeExecutionCommand({ executionArn }))).rejects.toThrow(
      ExecutionDoesNotExist,
    );
    await expect(client.send(new GetExecutionHistoryCommand({ executionArn }))).rejects.toThrow(
      ExecutionDoesNotExist,
    );
  });

  it('pages ListExecutions newest first, without repeating or skipping an execution', async () => {
    const { client } = await start();
    const names = Array.from({ length: 7 }, (_, i) => `page-${i}`);
    for (const name of names) {
      await client.send(new StartExecutionCommand({ stateMachineArn: linger.arn, name }));
      // Distinct start dates make "newest first" observable.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListExecutionsCommand({ stateMachineArn: linger.arn, maxResults: 3, nextToken }),
      );
      expect(page.executions!.length).toBeLessThanOrEqual(3);
      seen.push(...page.executions!.map((e) => e.name!));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].reverse());
  });

  it('filters ListExecutions by status', async () => {
    const { client, sfn } = await start();
    const done = await client.send(
      new StartExecutionCommand({ stateMachineArn: greet.arn, name: 'done', input: '{"who":"a"}' }),
    );
    await sfn.waitForExecution(done.executionArn!);
    const refused = await client.send(
      new StartExecutionCommand({ stateMachineArn: refuse.arn, name: 'refused' }),
    );
    await sfn.waitForExecution(refused.executionArn!);
    await client.send(new StartExecutionCommand({ stateMachineArn: linger.arn, name: 'lingering' }));

    const succeeded = await client.send(
      new ListExecutionsCommand({ stateMachineArn: greet.arn, statusFilter: 'SUCCEEDED' }),
    );
    expect(succeeded.executions?.map((e) => e.name)).toEqual(['done']);
    const running = await client.send(
      new ListExecutionsCommand({ stateMachineArn: linger.arn, statusFilter: 'RUNNING' }),
    );
    expect(running.executions?.map((e) => e.name)).toEqual(['lingering']);
    const failed = await client.send(
      new ListExecutionsCommand({ stateMachineArn: refuse.arn, statusFilter: 'FAILED' }),
    );
    expect(failed.executions?.map((e) => [e.name, e.status])).toEqual([['refused', 'FAILED']]);
    const none = await client.send(
      new ListExecutionsCommand({ stateMachineArn: greet.arn, statusFilter: 'ABORTED' }),
    );
    expect(none.executions).toEqual([]);
  });

  it('refuses a nextToken from another listing: InvalidToken', async () => {
    const { client } = await start();
    for (const name of ['t1', 't2'])
      await client.send(new StartExecutionCommand({ stateMachineArn: linger.arn, name }));
    const page = await client.send(new ListExecutionsCommand({ stateMachineArn: linger.arn, maxResults: 1 }));
    expect(page.nextToken).toBeDefined();
    await expect(
      client.send(
        new ListExecutionsCommand({ stateMachineArn: greet.arn, maxResults: 1, nextToken: page.nextToken }),
      ),
    ).rejects.toThrow(InvalidToken);
  });

  it('pages the history', async () => {
    const { client, sfn } = await start();
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: greet.arn, name: 'paged-history', input: '{"who":"p"}' }),
    );
    await sfn.waitForExecution(executionArn!);

    const ids: number[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 2, nextToken }),
      );
      expect(page.events!.length).toBeLessThanOrEqual(2);
      ids.push(...page.events!.map((e) => e.id!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7]);
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
