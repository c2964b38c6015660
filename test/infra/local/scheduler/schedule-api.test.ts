import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT, aSchedule, REGION, ROLE, startLocalScheduler, stopAll } from './local-scheduler-fixture.js';

afterEach(stopAll);

describe('local Scheduler API', () => {
  it('creates a schedule in a group and deletes it, after which it is not found', async () => {
    const { client } = await startLocalScheduler();
    const group = await client.send(new CreateScheduleGroupCommand({ Name: 'live-streams' }));
    expect(group.ScheduleGroupArn).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/live-streams`);
    const created = await client.send(
      new CreateScheduleCommand(aSchedule('s1-start', { GroupName: 'live-streams' })),
    );
    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/live-streams/s1-start`);
    await client.send(new DeleteScheduleCommand({ Name: 's1-start', GroupName: 'live-streams' }));
    await expect(
      client.send(new DeleteScheduleCommand({ Name: 's1-start', GroupName: 'live-streams' })),
    ).rejects.toThrow(ResourceNotFoundException);
  });

  it('answers ConflictException for a name taken in the group, and accepts it in another group', async () => {
    const { client } = await startLocalScheduler();
    await client.send(new CreateScheduleGroupCommand({ Name: 'other' }));
    await client.send(new CreateScheduleCommand(aSchedule('s1-start')));
    await expect(client.send(new CreateScheduleCommand(aSchedule('s1-start')))).rejects.toThrow(
      ConflictException,
    );
    await client.send(new CreateScheduleCommand(aSchedule('s1-start', { GroupName: 'other' })));
    await expect(client.send(new CreateScheduleGroupCommand({ Name: 'other' }))).rejects.toThrow(
      ConflictException,
    );
  });

  it('treats a create retried with the same client token as the same create', async () => {
    const { client } = await startLocalScheduler();
    const request = aSchedule('s1-start', { ClientToken: 'retry-token-1' });
    const first = await client.send(new CreateScheduleCommand(request));
    const again = await client.send(new CreateScheduleCommand(request));
    expect(again.ScheduleArn).toBe(first.ScheduleArn);
  });

  it('answers ResourceNotFoundException for a schedule in a group that does not exist', async () => {
    const { client } = await startLocalScheduler();
    await expect(
      client.send(new CreateScheduleCommand(aSchedule('s1-start', { GroupName: 'nope' }))),
    ).rejects.toThrow(ResourceNotFoundException);
  });

  it.each([
    ['a rate() expression', { ScheduleExpression: 'rate(1 minute)' }, /one-time at\(.*\) schedules only/],
    ['a cron() expression', { ScheduleExpression: 'cron(0 9 * * ? *)' }, /one-time at\(.*\) schedules only/],
    ['a time zone other than UTC', { ScheduleExpressionTimezone: 'Europe/Paris' }, /UTC only/],
    [
      'a target that is not a state machine',
      { Target: { Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:f`, RoleArn: ROLE } },
      /Arn/,
    ],
    ['no flexible time window', { FlexibleTimeWindow: undefined }, /FlexibleTimeWindow/],
    ['a name with a slash', { Name: 'a/b' }, /Name/],
    ['a date with month 13', { ScheduleExpression: 'at(2099-13-45T99:99:99)' }, /not a valid date/],
    ['February 30', { ScheduleExpression: 'at(2099-02-30T00:00:00)' }, /not a valid date/],
  ])('refuses %s with ValidationException, saying why', async (_what, overrides, message) => {
    const { client } = await startLocalScheduler();
    const request = { ...aSchedule('s1-start'), ...overrides };
    await expect(client.send(new CreateScheduleCommand(request))).rejects.toThrow(ValidationException);
    await expect(client.send(new CreateScheduleCommand(request))).rejects.toThrow(message);
  });
});
