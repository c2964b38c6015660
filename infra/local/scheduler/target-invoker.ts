/**
 * Invokes a schedule's target for one scheduled time: attempts, the retry policy
 * (MaximumRetryAttempts, MaximumEventAgeInSeconds) and the `invocation` events.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ScheduleRecord } from './schedule-record.js';
import {
  DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  isRetryable,
  resolveTarget,
  retryDelayMs,
} from './schedule-target.js';
import type { ScheduleInvocation, SchedulerEvents, StartExecution } from './types.js';

export class TargetInvoker {
  readonly fired = new EventEmitter<SchedulerEvents>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pauses = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly startExecution: StartExecution,
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {}

  /** Runs in the background; `schedule` is a snapshot (the schedule may be deleted meanwhile). */
  invoke(schedule: ScheduleRecord, scheduledTime: number, before: Promise<void>): void {
    const run = before
      .then(() => this.attempts(schedule, scheduledTime))
      .catch((error: unknown) => this.log(`[scheduler] ${schedule.arn}: ${String(error)}`))
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of [...this.pauses]) cancel();
    await Promise.all([...this.inFlight]);
  }

  private async attempts(schedule: ScheduleRecord, scheduledTime: number): Promise<void> {
    const policy = schedule.target.RetryPolicy ?? {};
    const maxRetries = policy.MaximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS;
    const maxAgeMs = (policy.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS) * 1000;
    const executionId = randomUUID();
    for (let attempt = 1; !this.closed; attempt++) {
      const base = { schedule, scheduledTime, attempt };
      if (this.now() - scheduledTime > maxAgeMs) {
        this.emit(base, { outcome: 'dropped', reason: 'older than the target MaximumEventAgeInSeconds' });
        return;
      }
      const target = resolveTarget(schedule.target, {
        scheduleArn: schedule.arn,
        scheduledTime,
        executionId,
        attempt,
      });
      if (target.kind === 'unsupported') {
        this.emit(base, { outcome: 'dropped', reason: target.reason });
        return;
      }
      const call = { stateMachineArn: target.stateMachineArn, input: target.input };
      try {
        await this.startExecution(target.stateMachineArn, target.input, schedule.target.RoleArn);
        this.emit(base, { ...call, outcome: 'started' });
        return;
      } catch (error) {
        const pause = retryDelayMs(attempt);
        const willRetry =
          !this.closed &&
          isRetryable(error) &&
          attempt <= maxRetries &&
          this.now() + pause - scheduledTime <= maxAgeMs;
        this.emit(base, { ...call, outcome: 'failed', reason: describe(error), willRetry });
        if (!willRetry || !(await this.pause(pause))) return;
      }
    }
  }

  private emit(
    base: { schedule: ScheduleRecord; scheduledTime: number; attempt: number },
    result: Pick<ScheduleInvocation, 'outcome' | 'reason' | 'stateMachineArn' | 'input'> & {
      willRetry?: boolean;
    },
  ): void {
    const { schedule, scheduledTime, attempt } = base;
    const invocation: ScheduleInvocation = {
      scheduleArn: schedule.arn,
      groupName: schedule.groupName,
      name: schedule.name,
      scheduledTime: new Date(scheduledTime),
      invokedAt: new Date(this.now()),
      attempt,
      targetArn: schedule.target.Arn,
      ...result,
      willRetry: result.willRetry ?? false,
    };
    const late = invocation.invokedAt.getTime() - scheduledTime;
    this.log(
      `[scheduler] ${schedule.groupName}/${schedule.name} ${invocation.outcome}` +
        ` (attempt ${attempt}, ${late} ms after ${invocation.scheduledTime.toISOString()})` +
        (invocation.reason ? `: ${invocation.reason}` : ''),
    );
    this.fired.emit('invocation', invocation);
  }

  /** False when the scheduler closed during the pause. */
  private pause(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pauses.delete(cancel);
        resolve(true);
      }, ms);
      const cancel = () => {
        clearTimeout(timer);
        this.pauses.delete(cancel);
        resolve(false);
      };
      this.pauses.add(cancel);
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
