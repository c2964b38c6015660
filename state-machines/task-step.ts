/**
 * A Task state that invokes one task Lambda with the project's transient-fault policy: every Task of
 * every machine is built here, so they all retry the same faults with jitter and a bound.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type IChainable, JitterType, JsonPath, TaskInput, Timeout } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { IConstruct } from 'constructs';
import { ChannelNotIdle, VersionConflict } from '../core/errors.js';

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
  VersionConflict.errorName,
];

export interface RetryOn {
  errors: string[];
  interval: Duration;
  backoffRate: number;
  maxAttempts: number;
}

/** MediaLive refuses Start/Update/Delete while a channel is still settling; wait it out (≈1 min). */
export const CHANNEL_SETTLING: RetryOn = {
  errors: [ChannelNotIdle.errorName],
  interval: Duration.seconds(5),
  backoffRate: 1.5,
  maxAttempts: 5,
};

/** CloudFront refuses an UpdateDistribution whose ETag is stale: another change won the race. */
export const CDN_RACE: RetryOn = {
  errors: ['PreconditionFailed'],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 5,
};

export interface TaskStepOptions {
  /** Extra fields of the task's input, besides `stream_id`. */
  payload?: Record<string, unknown>;
  /** @default JsonPath.DISCARD: the task's own result is in the record, not in the state. */
  resultPath?: string;
  /** Named errors this step retries beyond the transient ones (e.g. ChannelNotIdle). */
  retryOn?: RetryOn;
}

/**
 * `name` is the state's name in the console; it starts with the task's name in words ("Start
 * channel" runs `start-channel`), so a step leads to its file.
 */
export function taskStep(
  scope: IConstruct,
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

/** Every Task state in `parts`: Task states themselves, and those inside fragments. */
export function tasksOf(...parts: IConstruct[]): LambdaInvoke[] {
  return parts.flatMap((part) =>
    part instanceof LambdaInvoke
      ? [part]
      : part.node.findAll().filter((node): node is LambdaInvoke => node instanceof LambdaInvoke),
  );
}

/** Catches every error of each Task in `parts` into `handler`, the error at `resultPath`. */
export function catchInto(parts: IConstruct[], handler: IChainable, resultPath = '$.error'): void {
  for (const task of tasksOf(...parts)) task.addCatch(handler, { errors: ['States.ALL'], resultPath });
}
