/**
 * Service integrations the local runtime hands to a double (the local stack's MediaConvert for
 * `mediaconvert:createJob.sync`): the state's effective Parameters in, the answer out as the task's
 * result, a thrown error caught by name, AWS's Task* history events.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServiceIntegration } from '../../../../infra/local/stepfunctions/index.js';
import { aMachine, type RunningLocalSfn, removeDataDirs, startLocalSfn } from './local-sfn-fixture.js';

const SYNC = 'arn:aws:states:::mediaconvert:createJob.sync';
let running: RunningLocalSfn | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await removeDataDirs();
});

const machine = aMachine('Integrations', {
  StartAt: 'Create job',
  States: {
    'Create job': {
      Type: 'Task',
      Resource: SYNC,
      Parameters: { Role: 'arn:aws:iam::123456789012:role/mc', 'Settings.$': '$.settings' },
      ResultSelector: { 'id.$': '$.Job.Id' },
      ResultPath: '$.job',
      TimeoutSeconds: 60,
      Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Job failed' }],
      End: true,
    },
    'Job failed': { Type: 'Pass', End: true },
  },
});

async function run(integration: ServiceIntegration) {
  running = await startLocalSfn({ stateMachines: [machine], integrations: { [SYNC]: integration } });
  const { client, sfn } = running;
  const { executionArn } = await client.send(
    new StartExecutionCommand({
      stateMachineArn: machine.arn,
      input: JSON.stringify({ settings: { a: 1 } }),
    }),
  );
  await sfn.waitForExecution(executionArn as string, 10_000);
  const described = await client.send(new DescribeExecutionCommand({ executionArn }));
  const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 100 }));
  return { output: JSON.parse(described.output ?? 'null'), status: described.status, events: events ?? [] };
}

describe('service integrations', () => {
  it('gets the effective Parameters and answers the task result, with Task* history events', async () => {
    const calls: unknown[] = [];
    const { output, status, events } = await run(async (parameters) => {
      calls.push(parameters);
      return { Job: { Id: 'job-1', Status: 'COMPLETE' } };
    });
    expect(status).toBe('SUCCEEDED');
    expect(calls).toEqual([{ Role: 'arn:aws:iam::123456789012:role/mc', Settings: { a: 1 } }]);
    expect(output).toEqual({ settings: { a: 1 }, job: { id: 'job-1' } });
    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['TaskScheduled', 'TaskStarted', 'TaskSucceeded']));
    const scheduled = events.find((e) => e.type === 'TaskScheduled');
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'mediaconvert',
      resource: 'createJob.sync',
    });
  });

  it('fails the task with the thrown error’s name, which a Catch handles', async () => {
    const { output, status, events } = await run(async () => {
      throw Object.assign(new Error('{"Job":{"Status":"ERROR"}}'), { name: 'States.TaskFailed' });
    });
    expect(status).toBe('SUCCEEDED');
    expect(output.error).toEqual({ Error: 'States.TaskFailed', Cause: '{"Job":{"Status":"ERROR"}}' });
    expect(events.map((e) => e.type)).toContain('TaskFailed');
  });
});
