/**
 * Building blocks shared by every lifecycle machine: a task step with the standard Retry, the
 * bounded channel-state wait loop, and the failure recorder. Keeping them here means every Task of
 * every machine gets the same transient-fault policy.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  Pass,
  Result,
  type State,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** Throttling and 5xx of Lambda and of the services the tasks call, plus a lost optimistic lock. */
export const TRANSIENT_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'InternalServerErrorException',
  'ServiceUnavailableException',
  'BadGatewayException',
  'GatewayTimeoutException',
  'InternalServerError',
  'ServiceUnavailable',
  'VersionConflict',
];

export interface TaskStepOptions {
  /** Extra fields of the task's input, besides `stream_id`. */
  payload?: Record<string, unknown>;
  /** @default JsonPath.DISCARD: the task's own result is in the record, not in the state. */
  resultPath?: string;
  /** Named errors this step retries beyond the transient ones (e.g. ChannelNotIdle). */
  retryOn?: { errors: string[]; interval: Duration; backoffRate: number; maxAttempts: number };
}

export function taskStep(
  scope: Construct,
  name: string,
  fn: IFunction,
  options: TaskStepOptions = {},
): LambdaInvoke {
  const step = new LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payload: TaskInput.fromObject({ 'stream_id.$': '$.stream_id', ...(options.payload ?? {}) }),
    payloadResponseOnly: true,
    // TRANSIENT_ERRORS below covers Lambda's own faults too, with jitter and a bound.
    retryOnServiceExceptions: false,
    resultPath: options.resultPath ?? JsonPath.DISCARD,
    // A task Lambda runs at most 60 s; this bounds a hung invocation.
    taskTimeout: Timeout.duration(Duration.seconds(90)),
  });
  step.addRetry({
    errors: TRANSIENT_ERRORS,
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(30),
    jitterStrategy: JitterType.FULL,
  });
  if (options.retryOn) {
    step.addRetry({
      errors: options.retryOn.errors,
      interval: options.retryOn.interval,
      backoffRate: options.retryOn.backoffRate,
      maxAttempts: options.retryOn.maxAttempts,
      jitterStrategy: JitterType.FULL,
    });
  }
  return step;
}

/** MediaLive refuses Start/Update/Delete while a channel is still settling; wait it out (≈1 min). */
export const CHANNEL_SETTLING = {
  errors: ['ChannelNotIdle'],
  interval: Duration.seconds(5),
  backoffRate: 1.5,
  maxAttempts: 5,
};

export interface WaitLoop {
  start: State;
  /** Where the loop continues once the channel is there. */
  next(state: IChainable): void;
  /** Every Task of the loop, to attach Catch. */
  tasks: LambdaInvoke[];
}

/**
 * Pass (start the clock) → Task (poll up to 20 s) → Choice (there yet?) ↺.
 * The task fails the wait on a failure state or past `timeoutSeconds` (bounds from the SDK waiters:
 * running 10 min, stopped 5 min, deleted 7 min).
 */
export function channelWait(
  scope: Construct,
  name: string,
  fn: IFunction,
  target: 'IDLE' | 'RUNNING' | 'DELETED',
  timeoutSeconds: number,
): WaitLoop {
  const begin = new Pass(scope, `${name}: start the clock`, {
    result: Result.fromObject({ since: null, done: false }),
    resultPath: '$.wait',
  });
  const poll = taskStep(scope, name, fn, {
    payload: { target, timeout_seconds: timeoutSeconds, 'since.$': '$.wait.since' },
    resultPath: '$.wait',
  });
  const there = new Choice(scope, `${name}: reached ${target}?`);
  begin.next(poll);
  poll.next(there);
  there.otherwise(poll);
  return {
    start: begin,
    tasks: [poll],
    next: (state) => {
      there.when(Condition.booleanEquals('$.wait.done', true), state);
    },
  };
}

/** Records the failure on the stream, then fails the execution with the original error. */
export function failureRecorder(
  scope: Construct,
  name: string,
  fn: IFunction,
  action: string,
  status: 'FAILED' | 'IDLE' | 'KEEP',
  failName: string,
): State {
  const record = taskStep(scope, name, fn, {
    payload: { action, status, 'error.$': '$.error' },
  });
  const fail = new Fail(scope, failName, {
    causePath: '$.error.Cause',
    errorPath: '$.error.Error',
  });
  record.next(fail);
  // If even recording fails, the execution still fails (and the console shows both errors).
  record.addCatch(fail, { resultPath: '$.record_error' });
  return record;
}

export function catchInto(tasks: LambdaInvoke[], handler: IChainable, resultPath = '$.error'): void {
  for (const task of tasks) task.addCatch(handler, { errors: ['States.ALL'], resultPath });
}
