/**
 * A definition as aws-local-stepfunctions runs it, where the interpreter differs from AWS:
 * - Task states without a timeout get the largest one a Node timer holds: the interpreter otherwise
 *   times every task out after 60 s, where AWS waits (the Lambda's own timeout applies).
 * - Timeouts above what a Node timer holds (~24.8 days) are clamped: larger ones fire after 1 ms.
 * - Retry intervals (`IntervalSeconds`, `MaxDelaySeconds`) are scaled by `waitTimeScale`.
 * - Express runs are capped at 5 minutes, like Express workflows.
 */
import '../polyfills.js';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

type Json = Record<string, unknown>;

/** setTimeout holds at most 2^31-1 ms. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
/** Express workflows run for at most five minutes (Step Functions quotas). */
export const EXPRESS_MAX_SECONDS = 300;

/** Definitions already found valid, by their JSON text. */
const validated = new Set<string>();

/**
 * Checks a definition with the interpreter's own validator (asl-validator), which compiles its
 * schemas on every call (about a second here): each distinct definition is checked once per process.
 * It writes into what it checks, so it gets a copy.
 */
export function validateDefinition(name: string, definition: object): void {
  const text = JSON.stringify(definition);
  if (validated.has(text)) return;
  try {
    new StateMachine(JSON.parse(text) as StateMachineDefinition);
  } catch (error) {
    throw new Error(`state machine ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  validated.add(text);
}

export interface TaskState {
  resource: string;
  /** As the definition gives it; undefined when it has none. */
  timeoutSeconds: number | undefined;
}

export interface PreparedDefinition {
  runnable: Json;
  /** Every Task state by name, nested ones included (names are unique, as AWS requires). */
  tasks: Map<string, TaskState>;
}

export function prepareDefinition(
  definition: object,
  waitTimeScale: number,
  maxSeconds = MAX_TIMER_SECONDS,
): PreparedDefinition {
  const tasks = new Map<string, TaskState>();
  const runnable = prepareMachine(definition as Json, waitTimeScale, tasks);
  const timeout = typeof runnable.TimeoutSeconds === 'number' ? runnable.TimeoutSeconds : undefined;
  if (timeout !== undefined || maxSeconds < MAX_TIMER_SECONDS) {
    runnable.TimeoutSeconds = Math.min(timeout ?? maxSeconds, maxSeconds, MAX_TIMER_SECONDS);
  }
  return { runnable, tasks };
}

function prepareMachine(machine: Json, scale: number, tasks: Map<string, TaskState>): Json {
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
      if (state[key]) state[key] = prepareMachine(state[key] as Json, scale, tasks);
    }
    if (Array.isArray(state.Branches))
      state.Branches = (state.Branches as Json[]).map((b) => prepareMachine(b, scale, tasks));
    states[name] = state;
  }
  return { ...machine, States: states };
}
