/**
 * Public contract of the local EventBridge Scheduler (see README.md in this folder).
 */
import type { EventEmitter } from 'node:events';

/**
 * Starts a Step Functions execution, as the scheduler's templated target does: the caller sends
 * the SDK's StartExecution to its (local) Step Functions endpoint. A rejection is a failed attempt
 * (retried per the target's RetryPolicy unless the error is a client fault, e.g. a validation error).
 */
export type StartExecution = (stateMachineArn: string, input: string, roleArn: string) => Promise<void>;

export interface LocalSchedulerOptions {
  /** `schedules.json` goes here (created if missing). Give the scheduler a directory of its own. */
  dataDir: string;
  startExecution: StartExecution;
  /** The clock, in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** @default 'us-east-1' */
  region?: string;
  /** @default '000000000000' */
  accountId?: string;
  log?: (line: string) => void;
}

/**
 * One invocation attempt of a schedule's target, or a run that was not attempted: `dropped` when
 * the target is not one the local scheduler can call, or the invocation is older than the target's
 * MaximumEventAgeInSeconds (a schedule missed while the process was down for longer than that).
 */
export interface ScheduleInvocation {
  scheduleArn: string;
  groupName: string;
  name: string;
  /** The time the expression asked for. */
  scheduledTime: Date;
  /** When this attempt was made. */
  invokedAt: Date;
  /** 1 for the first attempt. */
  attempt: number;
  targetArn: string;
  /** The state machine started (templated or universal Step Functions target), if any. */
  stateMachineArn?: string;
  /** The execution input sent, context attributes (`<aws.scheduler.*>`) replaced. */
  input?: string;
  outcome: 'started' | 'failed' | 'dropped';
  /** Why it failed or was dropped. */
  reason?: string;
  /** A failed attempt that will be tried again. */
  willRetry: boolean;
}

export interface SchedulerEvents {
  invocation: [ScheduleInvocation];
}

export interface LocalScheduler {
  /**
   * Serves the Scheduler REST-JSON API (`host` defaults to 127.0.0.1) and arms the schedules:
   * schedules fire only while the scheduler listens.
   */
  listen(port: number, host?: string): Promise<{ url: string }>;
  /** Stops serving and firing, cancels pending retries, waits for in-flight invocations and writes. */
  close(): Promise<void>;
  /** Emits `invocation` after each attempt (tests, logs, the local API's view of what fired). */
  fired: EventEmitter<SchedulerEvents>;
}
