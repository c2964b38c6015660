import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import {
  aSchedule,
  atExpression,
  ROLE,
  START_MACHINE,
  sleep,
  startLocalScheduler,
  stopAll,
  wholeSecondIn,
} from './local-scheduler-fixture.js';

afterEach(stopAll);

describe('local Scheduler one-time schedules', () => {
  it('starts the target state machine at the schedule time, not before, with its input', async () => {
    const { client, started, waitFor, logs } = await startLocalScheduler();
    const due = wholeSecondIn(1500);
    await client.send(
      new CreateScheduleCommand(aSchedule('s1-start', { ScheduleExpression: atExpression(due) })),
    );
    await waitFor(() => started.length === 1);

    expect(started[0]).toMatchObject({
      stateMachineArn: START_MACHINE,
      input: JSON.stringify({ stream_id: 's1-start', action: 'start' }),
    });
    expect(started[0]!.at).toBeGreaterThanOrEqual(due);
    expect(logs.some((line) => line.includes('default/s1-start started'))).toBe(true);
  });

  it('deletes a schedule with ActionAfterCompletion DELETE once it fired, and keeps one with NONE without firing it again', async () => {
    const { client, started, waitFor } = await startLocalScheduler();
    const due = atExpression(wholeSecondIn(500));
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-stop', { ScheduleExpression: due, ActionAfterCompletion: 'DELETE' }),
      ),
    );
    await client.send(new CreateScheduleCommand(aSchedule('s2-stop', { ScheduleExpression: due })));
    await waitFor(() => started.length === 2);
    await expect(client.send(new DeleteScheduleCommand({ Name: 's1-stop' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    await sleep(1200);
    expect(started).toHaveLength(2);
    await client.send(new DeleteScheduleCommand({ Name: 's2-stop' }));
  });

  it('runs at once a schedule created with a time just past, and drops one older than its maximum event age', async () => {
    const { client, started, waitFor, logs } = await startLocalScheduler();
    const justPast = Math.floor((Date.now() - 5000) / 1000) * 1000;
    await client.send(
      new CreateScheduleCommand(aSchedule('recent', { ScheduleExpression: atExpression(justPast) })),
    );
    await client.send(
      new CreateScheduleCommand(
        aSchedule('stale', {
          ScheduleExpression: atExpression(justPast - 120_000),
          Target: { Arn: START_MACHINE, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 60 } },
        }),
      ),
    );
    await waitFor(() => logs.some((line) => line.includes('default/stale dropped')));
    await waitFor(() => started.length === 1);
    expect(started.map((s) => s.input)).toEqual([JSON.stringify({ stream_id: 'recent', action: 'start' })]);
  });

  it('never fires a schedule deleted before its time', async () => {
    const { client, started } = await startLocalScheduler();
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { ScheduleExpression: atExpression(wholeSecondIn(800)) }),
      ),
    );
    await client.send(new DeleteScheduleCommand({ Name: 's1-start' }));
    await sleep(1800);
    expect(started).toEqual([]);
  });

  it('retries a failed StartExecution, but not a client fault', async () => {
    const { client, started, waitFor, logs } = await startLocalScheduler({
      onStart: async (_arn, input) => {
        if (input.includes('client-fault')) {
          throw Object.assign(new Error('no such machine'), {
            name: 'StateMachineDoesNotExist',
            $fault: 'client',
          });
        }
        if (started.length === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:4569');
      },
    });
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { ScheduleExpression: atExpression(wholeSecondIn(300)) }),
      ),
    );
    await waitFor(() => logs.some((line) => line.includes('s1-start started')));
    expect(started).toHaveLength(2);

    await client.send(
      new CreateScheduleCommand(
        aSchedule('s2-start', {
          ScheduleExpression: atExpression(wholeSecondIn(300)),
          Target: { Arn: START_MACHINE, RoleArn: ROLE, Input: '{"client-fault":true}' },
        }),
      ),
    );
    await waitFor(() => logs.some((line) => line.includes('s2-start failed')));
    await sleep(1500);
    expect(started.filter((s) => s.input.includes('client-fault'))).toHaveLength(1);
  });

  it('does not retry beyond MaximumRetryAttempts', async () => {
    const { client, started, waitFor } = await startLocalScheduler({
      onStart: async () => {
        throw new Error('endpoint down');
      },
    });
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', {
          ScheduleExpression: atExpression(wholeSecondIn(300)),
          Target: { Arn: START_MACHINE, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 0 } },
        }),
      ),
    );
    await waitFor(() => started.length === 1);
    await sleep(1500);
    expect(started).toHaveLength(1);
  });
});
