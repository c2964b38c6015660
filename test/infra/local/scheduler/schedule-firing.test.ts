import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  aSchedule,
  atExpression,
  type FixtureOptions,
  REGION,
  ROLE,
  type RunningScheduler,
  removeDataDirs,
  START_MACHINE,
  sleep,
  startLocalScheduler,
  wholeSecondIn,
} from './local-scheduler-fixture.js';

/** The project's target: a scheduled start begins within 2 s of its time (issue 6). */
const ON_TIME_MS = 2500;

const running: RunningScheduler[] = [];

afterEach(async () => {
  for (const instance of running.splice(0)) await instance.stop();
  await removeDataDirs();
});

async function start(options: FixtureOptions = {}): Promise<RunningScheduler> {
  const instance = await startLocalScheduler(options);
  running.push(instance);
  return instance;
}

describe('local Scheduler one-time schedules', () => {
  it('starts the target state machine within 2 s of the schedule time, with its input and role', async () => {
    const { client, started, waitForInvocation } = await start();
    const due = wholeSecondIn(2000);
    await client.send(
      new CreateScheduleCommand(aSchedule('s1-start', { ScheduleExpression: atExpression(due) })),
    );
    const invocation = await waitForInvocation();

    expect(started).toHaveLength(1);
    const [execution] = started;
    expect(execution!.at).toBeGreaterThanOrEqual(due);
    expect(execution!.at - due).toBeLessThanOrEqual(ON_TIME_MS);
    expect(execution).toMatchObject({
      stateMachineArn: START_MACHINE,
      input: JSON.stringify({ stream_id: 's1-start', action: 'start' }),
      roleArn: ROLE,
    });
    expect(invocation).toMatchObject({
      name: 's1-start',
      groupName: 'default',
      scheduleArn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/s1-start`,
      scheduledTime: new Date(due),
      attempt: 1,
      outcome: 'started',
      stateMachineArn: START_MACHINE,
      willRetry: false,
    });
  });

  it('reads the at() time in the schedule time zone', async () => {
    const { client, started, waitForInvocation } = await start();
    const due = wholeSecondIn(1500);
    // 09:30 in Kolkata is 04:00 UTC (UTC+05:30, no DST): the wall time there, 5h30 ahead.
    const wall = atExpression(due + 5.5 * 3600_000);
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { ScheduleExpression: wall, ScheduleExpressionTimezone: 'Asia/Kolkata' }),
      ),
    );
    const invocation = await waitForInvocation();
    expect(invocation.scheduledTime).toEqual(new Date(due));
    expect(started[0]!.at - due).toBeLessThanOrEqual(ON_TIME_MS);
  });

  it('does not fire a DISABLED schedule', async () => {
    const { client, started } = await start();
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { ScheduleExpression: atExpression(wholeSecondIn(500)), State: 'DISABLED' }),
      ),
    );
    await sleep(2000);
    expect(started).toEqual([]);
    expect((await client.send(new GetScheduleCommand({ Name: 's1-start' }))).State).toBe('DISABLED');
  });

  it('deletes a schedule with ActionAfterCompletion DELETE once it fired, and keeps one with NONE', async () => {
    const { client, started, waitForInvocation } = await start();
    const due = atExpression(wholeSecondIn(1000));
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { ScheduleExpression: due, ActionAfterCompletion: 'DELETE' }),
      ),
    );
    await client.send(new CreateScheduleCommand(aSchedule('s2-start', { ScheduleExpression: due })));
    await waitForInvocation((i) => i.name === 's1-start');
    await waitForInvocation((i) => i.name === 's2-start');
    expect(started).toHaveLength(2);
    await expect(client.send(new GetScheduleCommand({ Name: 's1-start' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    const kept = await client.send(new GetScheduleCommand({ Name: 's2-start' }));
    expect(kept.ScheduleExpression).toBe(due);
    await sleep(1200);
    expect(started).toHaveLength(2);
  });

  it('re-arms a schedule on update: the new time counts, the old one does not', async () => {
    const { client, started, waitForInvocation } = await start();
    const early = wholeSecondIn(1000);
    await client.send(
      new CreateScheduleCommand(aSchedule('s1-start', { ScheduleExpression: atExpression(early) })),
    );
    const later = early + 1000;
    await client.send(
      new UpdateScheduleCommand(aSchedule('s1-start', { ScheduleExpression: atExpression(later) })),
    );
    const invocation = await waitForInvocation();
    expect(invocation.scheduledTime).toEqual(new Date(later));
    expect(started).toHaveLength(1);
    expect(started[0]!.at).toBeGreaterThanOrEqual(later);
  });

  it('runs at once a one-time schedule created with a time just past, and drops one older than its maximum event age', async () => {
    const { client, started, waitForInvocation } = await start();
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
    expect(await waitForInvocation((i) => i.name === 'recent')).toMatchObject({
      outcome: 'started',
      scheduledTime: new Date(justPast),
    });
    expect(await waitForInvocation((i) => i.name === 'stale')).toMatchObject({ outcome: 'dropped' });
    expect(started.map((s) => s.input)).toEqual([JSON.stringify({ stream_id: 'recent', action: 'start' })]);
  });

  it('never fires a schedule deleted before its time', async () => {
    const { client, started } = await start();
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { ScheduleExpression: atExpression(wholeSecondIn(1000)) }),
      ),
    );
    await client.send(new DeleteScheduleCommand({ Name: 's1-start' }));
    await sleep(2100);
    expect(started).toEqual([]);
  });

  it('replaces the scheduler context attributes in the input', async () => {
    const { client, started, waitForInvocation } = await start();
    const due = wholeSecondIn(500);
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', {
          ScheduleExpression: atExpression(due),
          Target: {
            Arn: START_MACHINE,
            RoleArn: ROLE,
            Input:
              '{"arn":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>","id":"<aws.scheduler.execution-id>","n":<aws.scheduler.attempt-number>}',
          },
        }),
      ),
    );
    await waitForInvocation();
    const input = JSON.parse(started[0]!.input) as Record<string, unknown>;
    expect(input).toMatchObject({
      arn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/s1-start`,
      at: `${new Date(due).toISOString().slice(0, 19)}Z`,
      n: 1,
    });
    expect(input.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('starts the machine named by a universal sfn:startExecution target', async () => {
    const { client, started, waitForInvocation } = await start();
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-stop', {
          ScheduleExpression: atExpression(wholeSecondIn(500)),
          Target: {
            Arn: 'arn:aws:scheduler:::aws-sdk:sfn:startExecution',
            RoleArn: ROLE,
            Input: JSON.stringify({ StateMachineArn: START_MACHINE, Input: '{"stream_id":"s1"}' }),
          },
        }),
      ),
    );
    expect(await waitForInvocation()).toMatchObject({ outcome: 'started' });
    expect(started).toEqual([
      expect.objectContaining({ stateMachineArn: START_MACHINE, input: '{"stream_id":"s1"}' }),
    ]);
  });

  it('drops an invocation whose target it cannot run, saying why', async () => {
    const { client, started, waitForInvocation } = await start();
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-notify', {
          ScheduleExpression: atExpression(wholeSecondIn(500)),
          Target: { Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:notify`, RoleArn: ROLE },
        }),
      ),
    );
    const invocation = await waitForInvocation();
    expect(invocation).toMatchObject({ outcome: 'dropped', willRetry: false });
    expect(invocation.reason).toMatch(/not run locally/);
    expect(started).toEqual([]);
  });

  it('retries a failed StartExecution, but not a client fault', async () => {
    let calls = 0;
    const { client, waitForInvocation, invocations } = await start({
      onStart: async (_arn, input) => {
        calls++;
        if (input.includes('client-fault')) {
          throw Object.assign(new Error('no such machine'), {
            name: 'StateMachineDoesNotExist',
            $fault: 'client',
          });
        }
        if (calls === 1) throw new Error('connect ECONNREFUSED 127.0.0.1:4569');
      },
    });
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { ScheduleExpression: atExpression(wholeSecondIn(300)) }),
      ),
    );
    await waitForInvocation((i) => i.outcome === 'started');
    expect(invocations.map((i) => [i.attempt, i.outcome, i.willRetry])).toEqual([
      [1, 'failed', true],
      [2, 'started', false],
    ]);

    await client.send(
      new CreateScheduleCommand(
        aSchedule('s2-start', {
          ScheduleExpression: atExpression(wholeSecondIn(300)),
          Target: { Arn: START_MACHINE, RoleArn: ROLE, Input: '{"client-fault":true}' },
        }),
      ),
    );
    const refused = await waitForInvocation((i) => i.name === 's2-start');
    expect(refused).toMatchObject({ outcome: 'failed', willRetry: false });
    expect(refused.reason).toMatch(/StateMachineDoesNotExist/);
  });

  it('does not retry beyond MaximumRetryAttempts', async () => {
    const { client, waitForInvocation, invocations } = await start({
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
    await waitForInvocation();
    await sleep(1200);
    expect(invocations.map((i) => [i.attempt, i.outcome, i.willRetry])).toEqual([[1, 'failed', false]]);
  });
});

describe('local Scheduler recurring schedules', () => {
  it('runs a rate() schedule at its start date and every period after', async () => {
    const { client, waitForInvocation } = await start();
    // The first occurrence is 59.5 s ago (late, still run), the next one half a second ahead.
    const startDate = new Date(Date.now() - 59_500);
    await client.send(
      new CreateScheduleCommand(
        aSchedule('poll', { ScheduleExpression: 'rate(1 minute)', StartDate: startDate }),
      ),
    );
    const first = await waitForInvocation();
    const second = await waitForInvocation(undefined, 1);
    expect(first.scheduledTime).toEqual(startDate);
    expect(second.scheduledTime).toEqual(new Date(startDate.getTime() + 60_000));
    expect(second.invokedAt.getTime() - second.scheduledTime.getTime()).toBeLessThanOrEqual(ON_TIME_MS);
  });

  it('stores a cron() schedule without running it, and says so', async () => {
    const { client, started, logs } = await start();
    await client.send(
      new CreateScheduleCommand(aSchedule('nightly', { ScheduleExpression: 'cron(* * * * ? *)' })),
    );
    expect((await client.send(new GetScheduleCommand({ Name: 'nightly' }))).ScheduleExpression).toBe(
      'cron(* * * * ? *)',
    );
    expect(
      logs.some((line) => line.includes('nightly') && line.includes('not run by the local scheduler')),
    ).toBe(true);
    expect(started).toEqual([]);
  });
});
