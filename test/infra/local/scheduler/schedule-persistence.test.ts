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
  newDataDir,
  ROLE,
  START_MACHINE,
  sleep,
  startLocalScheduler,
  stopAll,
  wholeSecondIn,
} from './local-scheduler-fixture.js';

afterEach(stopAll);

describe('local Scheduler persistence', () => {
  it('keeps schedules and groups in schedules.json across a restart, and fires them after it', async () => {
    const dataDir = await newDataDir();
    const first = await startLocalScheduler({ dataDir });
    await first.client.send(new CreateScheduleGroupCommand({ Name: 'live-streams' }));
    const due = wholeSecondIn(1500);
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { GroupName: 'live-streams', ScheduleExpression: atExpression(due) }),
      ),
    );
    await first.stop();
    const file = path.join(dataDir, SCHEDULES_FILE);
    expect(
      (JSON.parse(await readFile(file, 'utf8')) as { schedules: Array<{ name: string }> }).schedules.map(
        (s) => s.name,
      ),
    ).toEqual(['s1-start']);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.started).toEqual([]);

    const second = await startLocalScheduler({ dataDir });
    await second.waitFor(() => second.started.length === 1);
    expect(second.started[0]!.at).toBeGreaterThanOrEqual(due);
    await expect(
      second.client.send(new CreateScheduleGroupCommand({ Name: 'live-streams' })),
    ).rejects.toMatchObject({
      name: 'ConflictException',
    });
  });

  it('never fires a DISABLED schedule an earlier version kept, and still fires the enabled ones', async () => {
    const dataDir = await newDataDir();
    const first = await startLocalScheduler({ dataDir });
    const due = wholeSecondIn(300);
    for (const name of ['kept-disabled', 'kept-enabled']) {
      await first.client.send(
        new CreateScheduleCommand(aSchedule(name, { ScheduleExpression: atExpression(due) })),
      );
    }
    await first.stop();
    // As an earlier version wrote a schedule created with State DISABLED.
    const file = path.join(dataDir, SCHEDULES_FILE);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { schedules: Array<Record<string, unknown>> };
    saved.schedules = saved.schedules.map((s) =>
      s.name === 'kept-disabled' ? { ...s, state: 'DISABLED' } : s,
    );
    await writeFile(file, JSON.stringify(saved));
    await sleep(due - Date.now() + 200);

    const second = await startLocalScheduler({ dataDir });
    await second.waitFor(() => second.started.length === 1);
    await sleep(500);
    expect(second.started).toHaveLength(1);
    expect(JSON.parse(second.started[0]!.input)).toMatchObject({ stream_id: 'kept-enabled' });
  });

  it('fires at startup, late, a schedule whose time passed while no scheduler ran', async () => {
    const dataDir = await newDataDir();
    const first = await startLocalScheduler({ dataDir });
    const due = wholeSecondIn(300);
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule('s1-stop', { ScheduleExpression: atExpression(due), ActionAfterCompletion: 'DELETE' }),
      ),
    );
    await first.stop();
    await sleep(due - Date.now() + 500);

    const second = await startLocalScheduler({ dataDir });
    await second.waitFor(() => second.started.length === 1);
    expect(second.started[0]!.at).toBeGreaterThan(due + 400);
    await expect(second.client.send(new DeleteScheduleCommand({ Name: 's1-stop' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
  });

  it('drops a missed schedule older than the target MaximumEventAgeInSeconds instead of running it late', async () => {
    const dataDir = await newDataDir();
    const first = await startLocalScheduler({ dataDir });
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', {
          ScheduleExpression: atExpression(wholeSecondIn(1000)),
          Target: { Arn: START_MACHINE, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 60 } },
        }),
      ),
    );
    await first.stop();

    // The machine was off for two minutes: the clock jumps past the event's maximum age.
    const second = await startLocalScheduler({ dataDir, now: () => Date.now() + 120_000 });
    await second.waitFor(() => second.logs.some((line) => line.includes('s1-start dropped')));
    expect(second.started).toEqual([]);
  });

  it('does not fire again after a restart a one-time schedule that already fired', async () => {
    const dataDir = await newDataDir();
    const first = await startLocalScheduler({ dataDir });
    await first.client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', { ScheduleExpression: atExpression(wholeSecondIn(300)) }),
      ),
    );
    await first.waitFor(() => first.started.length === 1);
    await first.stop();

    const second = await startLocalScheduler({ dataDir });
    await sleep(500);
    expect(second.started).toEqual([]);
  });

  it('refuses to start on a schedules file it cannot read instead of silently losing schedules', async () => {
    const dataDir = await newDataDir();
    await writeFile(path.join(dataDir, SCHEDULES_FILE), '{"formatVersion": 99}');
    await expect(startLocalScheduler({ dataDir })).rejects.toThrow(/move it away/);
  });
});
