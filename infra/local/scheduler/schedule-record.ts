/**
 * Schedules and groups as the local scheduler keeps them (and writes them to disk), and their
 * wire forms. Dates are epoch milliseconds here, epoch seconds on the wire (REST-JSON).
 */

export type ScheduleState = 'ENABLED' | 'DISABLED';
export type ActionAfterCompletion = 'NONE' | 'DELETE';

export interface RetryPolicy {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
}

/** The Target structure as the caller gave it; members the local scheduler does not use are kept. */
export interface Target {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: RetryPolicy;
  [member: string]: unknown;
}

export interface FlexibleTimeWindow {
  Mode: 'OFF' | 'FLEXIBLE';
  MaximumWindowInMinutes?: number;
}

export interface ScheduleRecord {
  name: string;
  groupName: string;
  arn: string;
  expression: string;
  timezone?: string;
  state: ScheduleState;
  flexibleTimeWindow: FlexibleTimeWindow;
  target: Target;
  actionAfterCompletion: ActionAfterCompletion;
  description?: string;
  startDate?: number;
  endDate?: number;
  kmsKeyArn?: string;
  creationDate: number;
  lastModificationDate: number;
  /** The ClientToken of the request that created it: a retry of that request is not a conflict. */
  clientToken?: string;
  /** rate(): occurrences are anchor + k × period (StartDate, or the time of creation or update). */
  anchor: number;
  /** The scheduled time of the last run; a one-time schedule with one has completed. */
  lastScheduledTime?: number;
}

export interface GroupRecord {
  name: string;
  arn: string;
  creationDate: number;
  lastModificationDate: number;
  tags: Array<{ Key: string; Value: string }>;
  clientToken?: string;
}

const seconds = (ms: number) => ms / 1000;

export function scheduleOutput(schedule: ScheduleRecord): object {
  return {
    ActionAfterCompletion: schedule.actionAfterCompletion,
    Arn: schedule.arn,
    CreationDate: seconds(schedule.creationDate),
    ...(schedule.description !== undefined && { Description: schedule.description }),
    ...(schedule.endDate !== undefined && { EndDate: seconds(schedule.endDate) }),
    FlexibleTimeWindow: schedule.flexibleTimeWindow,
    GroupName: schedule.groupName,
    ...(schedule.kmsKeyArn !== undefined && { KmsKeyArn: schedule.kmsKeyArn }),
    LastModificationDate: seconds(schedule.lastModificationDate),
    Name: schedule.name,
    ScheduleExpression: schedule.expression,
    ScheduleExpressionTimezone: schedule.timezone ?? 'UTC',
    ...(schedule.startDate !== undefined && { StartDate: seconds(schedule.startDate) }),
    State: schedule.state,
    Target: schedule.target,
  };
}

export function scheduleSummary(schedule: ScheduleRecord): object {
  return {
    Arn: schedule.arn,
    CreationDate: seconds(schedule.creationDate),
    GroupName: schedule.groupName,
    LastModificationDate: seconds(schedule.lastModificationDate),
    Name: schedule.name,
    State: schedule.state,
    Target: { Arn: schedule.target.Arn },
  };
}

export function groupOutput(group: GroupRecord): object {
  return {
    Arn: group.arn,
    CreationDate: seconds(group.creationDate),
    LastModificationDate: seconds(group.lastModificationDate),
    Name: group.name,
    State: 'ACTIVE',
  };
}
