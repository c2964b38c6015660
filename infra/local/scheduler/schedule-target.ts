/**
 * What a schedule's target asks for, locally: a Step Functions StartExecution, through the
 * templated target (Target.Arn is the state machine's ARN, Target.Input the execution input) or
 * the universal target `arn:aws:scheduler:::aws-sdk:sfn:startExecution` (Target.Input is the
 * StartExecution request). Other targets are not run locally.
 */
import type { Target } from './schedule-record.js';

const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w.-]+(:[\w.-]+)?$/;
const UNIVERSAL_START_EXECUTION = /^arn:aws[\w-]*:scheduler:::aws-sdk:sfn:startExecution$/i;

/** Scheduler's retry defaults (Target.RetryPolicy): 185 attempts, 24 hours. */
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;

export interface InvocationContext {
  scheduleArn: string;
  scheduledTime: number;
  executionId: string;
  attempt: number;
}

export type ResolvedTarget =
  | { kind: 'start-execution'; stateMachineArn: string; input: string }
  | { kind: 'unsupported'; reason: string };

export function resolveTarget(target: Target, context: InvocationContext): ResolvedTarget {
  const input = target.Input === undefined ? undefined : withContextAttributes(target.Input, context);
  if (STATE_MACHINE_ARN.test(target.Arn)) {
    return { kind: 'start-execution', stateMachineArn: target.Arn, input: input ?? '{}' };
  }
  if (UNIVERSAL_START_EXECUTION.test(target.Arn)) {
    let request: unknown;
    try {
      request = JSON.parse(input ?? '');
    } catch {
      return { kind: 'unsupported', reason: 'the StartExecution request in Target.Input is not JSON' };
    }
    const fields = (typeof request === 'object' && request !== null ? request : {}) as Record<
      string,
      unknown
    >;
    // Universal targets take the API's members; accept both spellings SDKs use for them.
    const stateMachineArn = fields.StateMachineArn ?? fields.stateMachineArn;
    const executionInput = fields.Input ?? fields.input;
    if (typeof stateMachineArn !== 'string' || !STATE_MACHINE_ARN.test(stateMachineArn)) {
      return { kind: 'unsupported', reason: 'Target.Input has no StateMachineArn' };
    }
    return {
      kind: 'start-execution',
      stateMachineArn,
      input:
        executionInput === undefined
          ? '{}'
          : typeof executionInput === 'string'
            ? executionInput
            : JSON.stringify(executionInput),
    };
  }
  return {
    kind: 'unsupported',
    reason: `target ${target.Arn} is not run locally (only Step Functions StartExecution)`,
  };
}

/**
 * The context attributes Scheduler substitutes in a target's input ("Adding context attributes",
 * Scheduler user guide).
 */
export function withContextAttributes(input: string, context: InvocationContext): string {
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', context.scheduleArn)
    .replaceAll(
      '<aws.scheduler.scheduled-time>',
      `${new Date(context.scheduledTime).toISOString().slice(0, 19)}Z`,
    )
    .replaceAll('<aws.scheduler.execution-id>', context.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(context.attempt));
}

/** Client faults (a validation error, an unknown machine) fail the same way again: not retried. */
export function isRetryable(error: unknown): boolean {
  const fault = (error as { $fault?: unknown } | null)?.$fault;
  const name = error instanceof Error ? error.name : '';
  return fault !== 'client' || /Throttl|TooManyRequests/.test(name);
}

/** Exponential back-off between attempts, capped at a minute. */
export function retryDelayMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** (attempt - 1));
}
