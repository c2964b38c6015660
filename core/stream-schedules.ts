/**
 * The stream's one-time schedules in EventBridge Scheduler (core/schedules.ts names and shapes them).
 * Used by the API (schedule routes), the start workflow (auto-stop guard), the stop and delete
 * workflows (clean-up) and the channel-events handler (input-loss stop).
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SCHEDULE_PURPOSES, type SchedulePurpose, scheduleInput, scheduleName } from './schedules.js';

export interface ScheduleTargets {
  groupName: string;
  roleArn: string;
  startStateMachineArn: string;
  stopStateMachineArn: string;
}

/** What the API uses of the schedules: StreamSchedules, or one loaded on first use (api/lazy.ts). */
export type Schedules = Pick<StreamSchedules, 'set' | 'remove' | 'removeAll'>;

export class StreamSchedules {
  constructor(
    private readonly scheduler: SchedulerClient,
    private readonly targets: ScheduleTargets,
  ) {}

  /** Creates (or replaces) the stream's schedule for `purpose` at `at`. */
  async set(
    streamId: string,
    purpose: SchedulePurpose,
    at: Date,
    options: Record<string, unknown> = {},
  ): Promise<void> {
    const action = purpose === 'start' ? 'start' : 'stop';
    const machine = action === 'start' ? this.targets.startStateMachineArn : this.targets.stopStateMachineArn;
    if (!machine || !this.targets.roleArn)
      throw new Error(
        `cannot schedule a ${action}: the ${action} machine or the scheduler role is not configured here`,
      );
    const input = scheduleInput(
      streamId,
      purpose,
      action,
      at,
      {
        groupName: this.targets.groupName,
        roleArn: this.targets.roleArn,
        stateMachineArn:
          action === 'start' ? this.targets.startStateMachineArn : this.targets.stopStateMachineArn,
      },
      options,
    );
    for (let attempt = 0; ; attempt++) {
      try {
        await this.scheduler.send(new CreateScheduleCommand(input));
        return;
      } catch (error) {
        // An older schedule of the same purpose: replace it.
        if (!(error instanceof ConflictException) || attempt > 0) throw error;
        await this.remove(streamId, purpose);
      }
    }
  }

  /** Deletes the schedule; one that already fired (and deleted itself) or never existed is fine. */
  async remove(streamId: string, purpose: SchedulePurpose): Promise<void> {
    try {
      await this.scheduler.send(
        new DeleteScheduleCommand({
          Name: scheduleName(streamId, purpose),
          GroupName: this.targets.groupName,
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  async removeAll(streamId: string, purposes: readonly SchedulePurpose[] = SCHEDULE_PURPOSES): Promise<void> {
    for (const purpose of purposes) await this.remove(streamId, purpose);
  }
}
