import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEDULES_FILE_NAME } from '../../../../infra/local/scheduler/index.js';
import {
  aSchedule,
  atExpression,
  type FixtureOptions,
  newDataDir,
  ROLE,
  type RunningScheduler,
  removeDataDirs,
  START_MACHINE,
  sleep,
  startLocalScheduler,
  wholeSecondIn,
} from './local-scheduler-fixture.js';

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

async function stop(instance: RunningScheduler): Promise<void> {
  running.splice(running.indexOf(instance), 1);
  await instance.stop();
}

describe('local Scheduler persistence', () => {
  it('keeps schedules and groups in schedules.json across a restart', async () => {
    const dataDir = await newDataDir();
    const first = await start({ dataDir });
    await first.client.send(new CreateScheduleGroupCommand({ Name: 'live-streams' }));
    await first.client.send(
      new CreateScheduleCommand(aSchedule('s1-start', { GroupName: 'live-streams', Description: 'kept' })),
    );
    const before = await first.client.send(
      new GetScheduleCommand({ Name: 's1-start', GroupName: 'live-streams' }),
    );
    await stop(first);
    const file = JSON.parse(await readFile(path.join(dataDir, SCHEDULES_FILE_NAME), 'utf8')) as {
      schedules: Array<{ name: string }>;
    };
    expect(file.schedules.map((s) => s.name)).toEqual(['s1-start']);

    const second = await start({ dataDir });
    const after = await second.client.send(
      new GetScheduleCommand({ Name: 's1-start', GroupName: 'live-streams' }),
    );
    expect(after).toEqual({ ...before, $metadata: after.$metadata });
    await second.client.send(new GetScheduleGroupCommand({ Name: 'live-streams' }));
  });

  it('fires after a restart a schedule created before it', async () => {
    const dataDir = await newDataDir();
    const first = await start({ dataDir });
    const due = wholeSecondIn(2000);
    await first.client.send(
      new CreateScheduleCommand(aSchedule('s1-start', { ScheduleExpression: atExpression(due) })),
    );
    await stop(first);
    expect(first.started).toEqual([]);

    const second = await start({ dataDir });
    const invocation = await second.waitForInvocation();
    expect(invocation).toMatchObject({ name: 's1-start', outcome: 'started', scheduledTime: new Date(due) });
    expect(second.started[0]!.at - due).toBeGreaterThanOrEqual(0);
    expect(second.started[0]!.at - due).toBeLessThanOrEqual(2500);
  });

  it('fires at startup, late, a schedule whose time passed while no scheduler ran', async () => {
    const dataDir = await newDataDir();
    const first = await start({ dataDir });
    const due = wholeSecondIn(500);
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule('s1-stop', { ScheduleExpression: atExpression(due), ActionAfterCompletion: 'DELETE' }),
      ),
    );
    await stop(first);
    await sleep(due - Date.now() + 700);

    const second = await start({ dataDir });
    const invocation = await second.waitForInvocation();
    expect(invocation).toMatchObject({ outcome: 'started', scheduledTime: new Date(due) });
    expect(invocation.invokedAt.getTime()).toBeGreaterThan(due + 500);
    await expect(second.client.send(new GetScheduleCommand({ Name: 's1-stop' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
  });

  it('drops a missed schedule older than the target MaximumEventAgeInSeconds instead of running it late', async () => {
    const dataDir = await newDataDir();
    const first = await start({ dataDir });
    const due = wholeSecondIn(1000);
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', {
          ScheduleExpression: atExpression(due),
          Target: { Arn: START_MACHINE, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 60 } },
        }),
      ),
    );
    await stop(first);

    // The machine was off for two minutes: the clock jumps past the event's maximum age.
    const second = await start({ dataDir, now: () => Date.now() + 120_000 });
    const invocation = await second.waitForInvocation();
    expect(invocation).toMatchObject({ outcome: 'dropped', scheduledTime: new Date(due) });
    expect(invocation.reason).toMatch(/MaximumEventAgeInSeconds/);
    expect(second.started).toEqual([]);
  });

  it('does not fire again after a restart a one-time schedule that already fired', async () => {
    const dataDir = await newDataDir();
    const first = await start({ dataDir });
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { ScheduleExpression: atExpression(wholeSecondIn(300)) }),
      ),
    );
    await first.waitForInvocation();
    await stop(first);

    const second = await start({ dataDir });
    await sleep(500);
    expect(second.started).toEqual([]);
    expect((await second.client.send(new GetScheduleCommand({ Name: 's1-start' }))).State).toBe('ENABLED');
  });
});
