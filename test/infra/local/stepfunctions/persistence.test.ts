import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { RESTART_CAUSE, RESTART_ERROR } from '../../../../infra/local/stepfunctions/index.js';
import {
  aMachine,
  functionArn,
  newDataDir,
  type RunningLocalSfn,
  removeDataDirs,
  startLocalSfn,
} from './local-sfn-fixture.js';

const greet = aMachine('Greet', {
  StartAt: 'Say hello',
  States: { 'Say hello': { Type: 'Task', Resource: functionArn('hello'), End: true } },
});
const linger = aMachine('Linger', {
  StartAt: 'Wait a day',
  States: { 'Wait a day': { Type: 'Wait', Seconds: 86400, End: true } },
});

const instances: RunningLocalSfn[] = [];

afterEach(async () => {
  for (const instance of instances.splice(0)) await instance.stop();
  await removeDataDirs();
});

async function startOn(dataDir: string): Promise<RunningLocalSfn> {
  const instance = await startLocalSfn({
    dataDir,
    stateMachines: [greet, linger],
    invokeLambda: async () => ({ greeting: 'hello' }),
  });
  instances.push(instance);
  return instance;
}

describe('local Step Functions persistence', () => {
  it('shows executions and their history to a new instance on the same data directory', async () => {
    const dataDir = await newDataDir();
    const first = await startOn(dataDir);
    const { executionArn } = await first.client.send(
      new StartExecutionCommand({
        stateMachineArn: greet.arn,
        name: 'before-restart',
        input: '{"who":"me"}',
      }),
    );
    await first.sfn.waitForExecution(executionArn!);
    const historyBefore = await first.client.send(new GetExecutionHistoryCommand({ executionArn }));
    await first.stop();
    instances.splice(instances.indexOf(first), 1);

    const second = await startOn(dataDir);
    const described = await second.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      name: 'before-restart',
      input: '{"who":"me"}',
      output: '{"greeting":"hello"}',
    });
    const historyAfter = await second.client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(historyAfter.events).toEqual(historyBefore.events);
    expect(historyAfter.events).toHaveLength(7);
    const listed = await second.client.send(new ListExecutionsCommand({ stateMachineArn: greet.arn }));
    expect(listed.executions?.map((e) => e.executionArn)).toEqual([executionArn]);
    // Names stay taken across restarts, as for 90 days on AWS.
    await expect(
      second.client.send(
        new StartExecutionCommand({
          stateMachineArn: greet.arn,
          name: 'before-restart',
          input: '{"who":"me"}',
        }),
      ),
    ).rejects.toThrow(ExecutionAlreadyExists);
  });

  it('marks executions that were RUNNING when the runtime stopped as ABORTED, saying it restarted', async () => {
    const dataDir = await newDataDir();
    const first = await startOn(dataDir);
    const { executionArn } = await first.client.send(
      new StartExecutionCommand({ stateMachineArn: linger.arn, name: 'interrupted' }),
    );
    const runningBefore = await first.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(runningBefore.status).toBe('RUNNING');
    await first.stop();
    instances.splice(instances.indexOf(first), 1);

    const second = await startOn(dataDir);
    const described = await second.client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: RESTART_ERROR, cause: RESTART_CAUSE });
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(RESTART_CAUSE).toMatch(/restarted/);
    const { events } = await second.client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events?.map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
    expect(events?.at(-1)?.executionAbortedEventDetails).toEqual({
      error: RESTART_ERROR,
      cause: RESTART_CAUSE,
    });
  });

  it('keeps executions started after a restart apart from the old ones', async () => {
    const dataDir = await newDataDir();
    const first = await startOn(dataDir);
    const old = await first.client.send(
      new StartExecutionCommand({ stateMachineArn: greet.arn, name: 'old' }),
    );
    await first.sfn.waitForExecution(old.executionArn!);
    await first.stop();
    instances.splice(instances.indexOf(first), 1);

    const second = await startOn(dataDir);
    const fresh = await second.client.send(
      new StartExecutionCommand({ stateMachineArn: greet.arn, name: 'new' }),
    );
    await second.sfn.waitForExecution(fresh.executionArn!);
    const listed = await second.client.send(new ListExecutionsCommand({ stateMachineArn: greet.arn }));
    expect(listed.executions?.map((e) => e.name)).toEqual(['new', 'old']);
  });
});
