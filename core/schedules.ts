/**
 * One-time EventBridge Scheduler schedules that start or stop a stream by starting its state
 * machine directly (no Lambda in between). Names are per stream and purpose, so replacing a
 * schedule is "delete, then create" on a known name and deleting a stream finds them all.
 */
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import type { LifecycleAction } from './stream.js';
import type { WorkflowInput } from './workflows.js';

export type SchedulePurpose = 'start' | 'stop' | 'guard' | 'input-loss';
export const SCHEDULE_PURPOSES: readonly SchedulePurpose[] = ['start', 'stop', 'guard', 'input-loss'];

export const scheduleName = (streamId: string, purpose: SchedulePurpose) => `${streamId}-${purpose}`;

/** Scheduler's one-time expression, `at(yyyy-mm-ddThh:mm:ss)` in UTC, to the second. */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

export interface ScheduleTarget {
  groupName: string;
  roleArn: string;
  stateMachineArn: string;
}

export function scheduleInput(
  streamId: string,
  purpose: SchedulePurpose,
  action: Extract<LifecycleAction, 'start' | 'stop'>,
  at: Date,
  target: ScheduleTarget,
  options: Record<string, unknown> = {},
): CreateScheduleCommandInput {
  const name = scheduleName(streamId, purpose);
  const input: WorkflowInput & { trigger: string } = {
    stream_id: streamId,
    action,
    options,
    requested_at: at.toISOString(),
    request_id: `schedule:${name}`,
    trigger: purpose,
  };
  return {
    Name: name,
    GroupName: target.groupName,
    ScheduleExpression: atExpression(at),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Description: `${action} stream ${streamId} (${purpose})`,
    Target: {
      Arn: target.stateMachineArn,
      RoleArn: target.roleArn,
      Input: JSON.stringify(input),
      // A late start is worse than none for a live event: give up after 5 minutes.
      RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 300 },
    },
  };
}
