/**
 * A state machine as aws-local-stepfunctions runs it, where the interpreter differs from AWS:
 * - Task states without a timeout get the largest one a Node timer holds: the interpreter otherwise
 *   times every task out after 60 s, where AWS waits (the Lambda's own timeout applies).
 * - Timeouts above what a Node timer holds (~24.8 days) are clamped: larger ones fire after 1 ms.
 * - Retry intervals (`IntervalSeconds`, `MaxDelaySeconds`) are scaled by `waitTimeScale`.
 * - Express runs are capped at 5 minutes, like Express workflows (Step Functions quotas).
 * - Its validator compiles its schemas on every call (about a second here), so each distinct
 *   definition is validated once per process, on a copy (it writes into what it checks).
 */
import '../polyfills.js';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { localArn } from '../aws-server/arn.js';

type Json = Record<string, unknown>;

export interface LocalStateMachine {
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  /** The Amazon States Language definition (JSONPath), as CDK renders it. */
  definition: object;
}

/** setTimeout holds at most 2^31-1 ms. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const EXPRESS_MAX_SECONDS = 300;
const validated = new Set<string>();

/** A Task state's resource, and its TimeoutSeconds as the definition gives it. */
export interface TaskState {
  resource: string;
  timeoutSeconds: number | undefined;
}

export type PreparedMachine = ReturnType<typeof prepareMachine>;

/** The machine validated and ready to run; throws if its definition is not valid ASL. */
export function prepareMachine(machine: LocalStateMachine, scale: number, account = '000000000000') {
  const text = JSON.stringify(machine.definition);
  try {
    if (!validated.has(text)) new StateMachine(JSON.parse(text) as StateMachineDefinition);
  } catch (error) {
    throw new Error(
      `state machine ${machine.name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  validated.add(text);
  const prepared = prepareDefinition(
    machine.definition,
    scale,
    machine.type === 'EXPRESS' ? EXPRESS_MAX_SECONDS : undefined,
  );
  const runnable = prepared.runnable as unknown as StateMachineDefinition;
  return {
    machine,
    roleArn: localArn('iam', '', account, `role/service-role/StepFunctions-${machine.name}-role`),
    prepared,
    interpreter: new StateMachine(runnable, { validationOptions: { noValidate: true } }),
  };
}

/** `runnable` for the interpreter, and every Task state by name, nested ones included (names are unique). */
export function prepareDefinition(definition: object, scale: number, maxSeconds = MAX_TIMER_SECONDS) {
  const tasks = new Map<string, TaskState>();
  const runnable = prepareStates(definition as Json, scale, tasks);
  const timeout = typeof runnable.TimeoutSeconds === 'number' ? runnable.TimeoutSeconds : undefined;
  if (timeout !== undefined || maxSeconds < MAX_TIMER_SECONDS) {
    runnable.TimeoutSeconds = Math.min(timeout ?? maxSeconds, maxSeconds, MAX_TIMER_SECONDS);
  }
  return { runnable, tasks };
}

function prepareStates(machine: Json, scale: number, tasks: Map<string, TaskState>): Json {
  const states: Json = {};
  for (const [name, value] of Object.entries((machine.States ?? {}) as Record<string, Json>)) {
    const state: Json = { ...value };
    if (state.Type === 'Task') {
      const timeoutSeconds = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : undefined;
      tasks.set(name, { resource: String(state.Resource), timeoutSeconds });
      if (state.TimeoutSecondsPath === undefined)
        state.TimeoutSeconds = Math.min(timeoutSeconds ?? MAX_TIMER_SECONDS, MAX_TIMER_SECONDS);
    }
    if (Array.isArray(state.Retry) && scale !== 1) {
      state.Retry = (state.Retry as Json[]).map((retrier) => ({
        ...retrier,
        // The interpreter's default IntervalSeconds is 1, as AWS's.
        IntervalSeconds: (typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1) * scale,
        ...(typeof retrier.MaxDelaySeconds === 'number' && {
          MaxDelaySeconds: retrier.MaxDelaySeconds * scale,
        }),
      }));
    }
    for (const key of ['ItemProcessor', 'Iterator']) {
      if (state[key]) state[key] = prepareStates(state[key] as Json, scale, tasks);
    }
    if (Array.isArray(state.Branches))
      state.Branches = (state.Branches as Json[]).map((b) => prepareStates(b, scale, tasks));
    states[name] = state;
  }
  return { ...machine, States: states };
}
