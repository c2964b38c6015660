import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEDULES_FILE } from '../../../../infra/local/scheduler/index.js';
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
  it('keeps schedules and groups in schedules.json across a restart, and fires them after it', async () => {
    const dataDir = await newDataDir();
    const first = await start({ dataDir });
    await first.client.send(new CreateScheduleGroupCommand({ Name: 'live-streams' }));
    const due = wholeSecondIn(1500);
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { GroupName: 'live-streams', ScheduleExpression: atExpression(due) }),
      ),
    );
    await stop(first);
    const file = path.join(dataDir, SCHEDULES_FILE);
    expect(
      (JSON.parse(await readFile(file, 'utf8')) as { schedules: Array<{ name: string }> }).schedules.map(
        (s) => s.name,
      ),
    ).toEqual(['s1-start']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.started).toEqual([]);

    const second = await start({ dataDir });
    await second.waitFor(() => second.started.length === 1);
    expect(second.started[0]!.at).toBeGreaterThanOrEqual(due);
    await expect(
      second.client.send(new CreateScheduleGroupCommand({ Name: 'live-streams' })),
    ).rejects.toMatchObject({
      name: 'ConflictException',
    });
  });

  it('fires at startup, late, a schedule whose time passed while no scheduler ran', async () => {
    const dataDir = await newDataDir();
    const first = await start({ dataDir });
    const due = wholeSecondIn(300);
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule('s1-stop', { ScheduleExpression: atExpression(due), ActionAfterCompletion: 'DELETE' }),
      ),
    );
    await stop(first);
    await sleep(due - Date.now() + 500);

    const second = await start({ dataDir });
    await second.waitFor(() => second.started.length === 1);
    expect(second.started[0]!.at).toBeGreaterThan(due + 400);
    await expect(second.client.send(new DeleteScheduleCommand({ Name: 's1-stop' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
  });

  it('drops a missed schedule older than the target MaximumEventAgeInSeconds instead of running it late', async () => {
    const dataDir = await newDataDir();
    const first = await start({ dataDir });
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', {
          ScheduleExpression: atExpression(wholeSecondIn(1000)),
          Target: { Arn: START_MACHINE, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 60 } },
        }),
      ),
    );
    await stop(first);

    // The machine was off for two minutes: the clock jumps past the event's maximum age.
    const second = await start({ dataDir, now: () => Date.now() + 120_000 });
    await second.waitFor(() => second.logs.some((line) => line.includes('s1-start dropped')));
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
    await first.waitFor(() => first.started.length === 1);
    await stop(first);

    const second = await start({ dataDir });
    await sleep(500);
    expect(second.started).toEqual([]);
  });

  it('refuses to start on a schedules file it cannot read instead of silently losing schedules', async () => {
    const dataDir = await newDataDir();
    await writeFile(path.join(dataDir, SCHEDULES_FILE), '{"formatVersion": 99}');
    await expect(start({ dataDir })).rejects.toThrow(/move it away/);
  });
});
