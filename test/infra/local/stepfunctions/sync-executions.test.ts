import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  StartSyncExecutionCommand,
  StateMachineTypeNotSupported,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import {
  aMachine,
  functionArn,
  type RunningLocalSfn,
  removeDataDirs,
  startLocalSfn,
} from './local-sfn-fixture.js';

const render = aMachine(
  'RenderPlaylist',
  {
    StartAt: 'Render',
    States: { Render: { Type: 'Task', Resource: functionArn('render'), End: true } },
  },
  'EXPRESS',
);
const failing = aMachine(
  'AlwaysFails',
  { StartAt: 'Fail', States: { Fail: { Type: 'Fail', Error: 'ClipOutOfRange', Cause: 'end before start' } } },
  'EXPRESS',
);
const standard = aMachine('Standard', { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });

let running: RunningLocalSfn | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await removeDataDirs();
});

async function start(): Promise<RunningLocalSfn> {
  running = await startLocalSfn({
    stateMachines: [render, failing, standard],
    invokeLambda: async (_arn, payload) => ({ playlist: `#EXTM3U for ${(payload as { id: string }).id}` }),
  });
  return running;
}

describe('StartSyncExecution on the local endpoint', () => {
  it('runs an EXPRESS machine and answers with its output', async () => {
    const { client } = await start();
    const result = await client.send(
      new StartSyncExecutionCommand({ stateMachineArn: render.arn, name: 'render-1', input: '{"id":"c1"}' }),
    );
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      name: 'render-1',
      stateMachineArn: render.arn,
      input: '{"id":"c1"}',
      output: '{"playlist":"#EXTM3U for c1"}',
    });
    expect(result.executionArn).toMatch(
      /^arn:aws:states:us-east-1:123456789012:express:RenderPlaylist:render-1:/,
    );
    expect(result.startDate).toBeInstanceOf(Date);
    expect(result.stopDate).toBeInstanceOf(Date);
  });

  it('answers a failed EXPRESS execution with FAILED, error and cause (not an API error)', async () => {
    const { client } = await start();
    const result = await client.send(new StartSyncExecutionCommand({ stateMachineArn: failing.arn }));
    expect(result).toMatchObject({ status: 'FAILED', error: 'ClipOutOfRange', cause: 'end before start' });
    expect(result.output).toBeUndefined();
  });

  it('refuses StartSyncExecution on a STANDARD machine: StateMachineTypeNotSupported', async () => {
    const { client } = await start();
    await expect(
      client.send(new StartSyncExecutionCommand({ stateMachineArn: standard.arn })),
    ).rejects.toThrow(StateMachineTypeNotSupported);
  });

  it('keeps no record of EXPRESS executions: not listed, not describable', async () => {
    const { client } = await start();
    const { executionArn } = await client.send(
      new StartSyncExecutionCommand({ stateMachineArn: render.arn, input: '{"id":"x"}' }),
    );
    await expect(client.send(new DescribeExecutionCommand({ executionArn }))).rejects.toThrow(
      ExecutionDoesNotExist,
    );
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: render.arn }));
    expect(listed.executions).toEqual([]);
  });
});
