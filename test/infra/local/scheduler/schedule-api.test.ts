import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  type ListSchedulesCommandInput,
  paginateListSchedules,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT,
  aSchedule,
  REGION,
  ROLE,
  type RunningScheduler,
  removeDataDirs,
  START_MACHINE,
  startLocalScheduler,
} from './local-scheduler-fixture.js';

const running: RunningScheduler[] = [];

afterEach(async () => {
  for (const instance of running.splice(0)) await instance.stop();
  await removeDataDirs();
});

async function start(): Promise<RunningScheduler> {
  const instance = await startLocalScheduler();
  running.push(instance);
  return instance;
}

describe('local Scheduler schedules', () => {
  it('creates a schedule and gets it back with every member, defaults filled in', async () => {
    const { client } = await start();
    const created = await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-start', {
          ScheduleExpression: 'at(2030-01-02T09:30:00)',
          ScheduleExpressionTimezone: 'Europe/Paris',
          Description: 'start stream s1',
          Target: {
            Arn: START_MACHINE,
            RoleArn: ROLE,
            Input: '{"stream_id":"s1"}',
            RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 300 },
          },
        }),
      ),
    );
    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/s1-start`);

    const got = await client.send(new GetScheduleCommand({ Name: 's1-start' }));
    expect(got).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 's1-start',
      GroupName: 'default',
      ScheduleExpression: 'at(2030-01-02T09:30:00)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Description: 'start stream s1',
      State: 'ENABLED',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: START_MACHINE,
        RoleArn: ROLE,
        Input: '{"stream_id":"s1"}',
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 300 },
      },
    });
    expect(got.CreationDate).toBeInstanceOf(Date);
    expect(Math.abs((got.CreationDate?.getTime() ?? 0) - Date.now())).toBeLessThan(5000);
  });

  it('replaces the whole schedule on update, keeping its creation date', async () => {
    const { client } = await start();
    await client.send(
      new CreateScheduleCommand(
        aSchedule('s1-stop', { Description: 'first', ActionAfterCompletion: 'DELETE' }),
      ),
    );
    const before = await client.send(new GetScheduleCommand({ Name: 's1-stop' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await client.send(
      new UpdateScheduleCommand({
        Name: 's1-stop',
        ScheduleExpression: 'rate(5 minutes)',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
        Target: { Arn: START_MACHINE, RoleArn: ROLE },
        State: 'DISABLED',
        StartDate: new Date('2030-01-01T00:00:00Z'),
        EndDate: new Date('2030-02-01T00:00:00Z'),
      }),
    );
    const after = await client.send(new GetScheduleCommand({ Name: 's1-stop' }));
    expect(after).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      State: 'DISABLED',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
      Target: { Arn: START_MACHINE, RoleArn: ROLE },
      StartDate: new Date('2030-01-01T00:00:00Z'),
      EndDate: new Date('2030-02-01T00:00:00Z'),
    });
    expect(after.Description).toBeUndefined();
    expect(after.CreationDate).toEqual(before.CreationDate);
    expect(after.LastModificationDate!.getTime()).toBeGreaterThan(before.LastModificationDate!.getTime());
  });

  it('deletes a schedule, after which it is not found', async () => {
    const { client } = await start();
    await client.send(new CreateScheduleCommand(aSchedule('s1-start')));
    await client.send(new DeleteScheduleCommand({ Name: 's1-start' }));
    await expect(client.send(new GetScheduleCommand({ Name: 's1-start' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
  });

  it('answers ConflictException for a name taken in the group, and accepts it in another group', async () => {
    const { client } = await start();
    await client.send(new CreateScheduleCommand(aSchedule('s1-start')));
    const again = client.send(new CreateScheduleCommand(aSchedule('s1-start')));
    await expect(again).rejects.toThrow(ConflictException);
    await expect(again).rejects.toThrow(/already exists/);
    await client.send(new CreateScheduleGroupCommand({ Name: 'live-streams' }));
    const other = await client.send(
      new CreateScheduleCommand(aSchedule('s1-start', { GroupName: 'live-streams' })),
    );
    expect(other.ScheduleArn).toMatch(/:schedule\/live-streams\/s1-start$/);
  });

  it('treats a create retried with the same client token as the same create', async () => {
    const { client } = await start();
    const first = await client.send(
      new CreateScheduleCommand(aSchedule('s1-start', { ClientToken: 'request-1' })),
    );
    const retried = await client.send(
      new CreateScheduleCommand(aSchedule('s1-start', { ClientToken: 'request-1' })),
    );
    expect(retried.ScheduleArn).toBe(first.ScheduleArn);
    await expect(
      client.send(new CreateScheduleCommand(aSchedule('s1-start', { ClientToken: 'request-2' }))),
    ).rejects.toThrow(ConflictException);
  });

  it('answers ResourceNotFoundException for unknown schedules and groups', async () => {
    const { client } = await start();
    await expect(client.send(new GetScheduleCommand({ Name: 'nope' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    await expect(client.send(new DeleteScheduleCommand({ Name: 'nope' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    await expect(client.send(new UpdateScheduleCommand(aSchedule('nope')))).rejects.toThrow(
      ResourceNotFoundException,
    );
    await expect(
      client.send(new CreateScheduleCommand(aSchedule('s1-start', { GroupName: 'no-such-group' }))),
    ).rejects.toThrow(/Schedule group no-such-group does not exist/);
    await expect(
      client.send(new GetScheduleCommand({ Name: 's1', GroupName: 'no-such-group' })),
    ).rejects.toThrow(ResourceNotFoundException);
  });

  it.each([
    ['an expression that is not at/rate/cron', { ScheduleExpression: 'in(5 minutes)' }],
    ['a date that does not exist', { ScheduleExpression: 'at(2030-02-30T10:00:00)' }],
    ['an at() with a zone suffix', { ScheduleExpression: 'at(2030-01-01T10:00:00Z)' }],
    ['a plural unit for 1', { ScheduleExpression: 'rate(1 minutes)' }],
    ['a cron with five fields', { ScheduleExpression: 'cron(0 9 * * ?)' }],
    ['an unknown time zone', { ScheduleExpressionTimezone: 'Mars/Olympus_Mons' }],
    ['a name with a slash', { Name: 'a/b' }],
    ['a name longer than 64', { Name: 'x'.repeat(65) }],
    ['FLEXIBLE without a window', { FlexibleTimeWindow: { Mode: 'FLEXIBLE' as const } }],
    ['an unknown state', { State: 'PAUSED' as never }],
    ['a role that is not an IAM role ARN', { Target: { Arn: START_MACHINE, RoleArn: 'scheduler-role' } }],
    [
      'a retry policy out of range',
      { Target: { Arn: START_MACHINE, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 30 } } },
    ],
    [
      'an end date before the start date',
      { StartDate: new Date('2030-02-01'), EndDate: new Date('2030-01-01') },
    ],
  ])('answers ValidationException for %s', async (_why, overrides) => {
    const { client } = await start();
    await expect(client.send(new CreateScheduleCommand(aSchedule('s1-start', overrides)))).rejects.toThrow(
      ValidationException,
    );
  });
});

describe('local Scheduler listing', () => {
  it('lists schedules by group, name prefix and state, in pages', async () => {
    const { client } = await start();
    await client.send(new CreateScheduleGroupCommand({ Name: 'live-streams' }));
    for (const name of ['a-start', 'a-stop', 'b-start', 'b-stop', 'c-start']) {
      await client.send(new CreateScheduleCommand(aSchedule(name, { GroupName: 'live-streams' })));
    }
    await client.send(new CreateScheduleCommand(aSchedule('a-other-group')));
    await client.send(
      new CreateScheduleCommand(aSchedule('a-disabled', { GroupName: 'live-streams', State: 'DISABLED' })),
    );

    const names = async (input: ListSchedulesCommandInput) =>
      (await client.send(new ListSchedulesCommand(input))).Schedules?.map((s) => s.Name);
    expect(await names({ GroupName: 'live-streams', NamePrefix: 'a-' })).toEqual([
      'a-disabled',
      'a-start',
      'a-stop',
    ]);
    expect(await names({ GroupName: 'live-streams', State: 'DISABLED' })).toEqual(['a-disabled']);
    expect(await names({ NamePrefix: 'a-' })).toEqual(['a-other-group', 'a-disabled', 'a-start', 'a-stop']);

    const pages: string[][] = [];
    for await (const page of paginateListSchedules(
      { client, pageSize: 2 },
      { GroupName: 'live-streams', State: 'ENABLED' },
    )) {
      pages.push(page.Schedules?.map((s) => s.Name ?? '') ?? []);
    }
    expect(pages).toEqual([['a-start', 'a-stop'], ['b-start', 'b-stop'], ['c-start']]);

    const listed = await client.send(
      new ListSchedulesCommand({ GroupName: 'live-streams', NamePrefix: 'c-' }),
    );
    expect(listed.Schedules?.[0]).toMatchObject({
      Name: 'c-start',
      GroupName: 'live-streams',
      State: 'ENABLED',
      Target: { Arn: START_MACHINE },
    });
  });

  it('refuses a NextToken from another listing', async () => {
    const { client } = await start();
    for (const name of ['a', 'b', 'c']) await client.send(new CreateScheduleCommand(aSchedule(name)));
    const first = await client.send(new ListSchedulesCommand({ MaxResults: 1 }));
    await expect(
      client.send(new ListSchedulesCommand({ MaxResults: 1, NamePrefix: 'b', NextToken: first.NextToken })),
    ).rejects.toThrow(ValidationException);
  });

  it('answers ResourceNotFoundException when listing an unknown group', async () => {
    const { client } = await start();
    await expect(client.send(new ListSchedulesCommand({ GroupName: 'nope' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
  });
});

describe('local Scheduler schedule groups', () => {
  it('creates, gets, lists and deletes a group, deleting its schedules with it', async () => {
    const { client } = await start();
    const created = await client.send(
      new CreateScheduleGroupCommand({ Name: 'live-streams', Tags: [{ Key: 'app', Value: 'live' }] }),
    );
    expect(created.ScheduleGroupArn).toBe(
      `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/live-streams`,
    );
    expect(await client.send(new GetScheduleGroupCommand({ Name: 'live-streams' }))).toMatchObject({
      Name: 'live-streams',
      Arn: created.ScheduleGroupArn,
      State: 'ACTIVE',
    });
    const groups = await client.send(new ListScheduleGroupsCommand({}));
    expect(groups.ScheduleGroups?.map((g) => g.Name)).toEqual(['default', 'live-streams']);

    await client.send(new CreateScheduleCommand(aSchedule('s1-start', { GroupName: 'live-streams' })));
    await client.send(new DeleteScheduleGroupCommand({ Name: 'live-streams' }));
    await expect(client.send(new GetScheduleGroupCommand({ Name: 'live-streams' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
    const left = await client.send(new ListSchedulesCommand({}));
    expect(left.Schedules).toEqual([]);
  });

  it('answers ConflictException for an existing group and ValidationException for deleting default', async () => {
    const { client } = await start();
    await client.send(new CreateScheduleGroupCommand({ Name: 'live-streams' }));
    await expect(client.send(new CreateScheduleGroupCommand({ Name: 'live-streams' }))).rejects.toThrow(
      ConflictException,
    );
    await expect(client.send(new DeleteScheduleGroupCommand({ Name: 'default' }))).rejects.toThrow(
      ValidationException,
    );
    await expect(client.send(new DeleteScheduleGroupCommand({ Name: 'nope' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
  });
});
