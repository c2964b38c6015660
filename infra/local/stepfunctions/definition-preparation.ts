/**
 * Turns a state machine definition into the one aws-local-stepfunctions runs, working around what
 * the interpreter does differently from AWS:
 *
 * - Wait states become Task states run by a local "wait" handler (same name, same InputPath and
 *   OutputPath), because the interpreter's only hook on waits is a fixed per-state override, which
 *   cannot scale `SecondsPath`/`TimestampPath`. The history still shows them as Wait states.
 * - Retry intervals (`IntervalSeconds`, `MaxDelaySeconds`) are multiplied by the wait time scale.
 * - Pass states whose `Result` is falsy (`0`, `false`, `""`, `null`) become local "pass" tasks
 *   answering that Result: the interpreter tests `if (Result)` and would pass the input through.
 * - Task states without a timeout get the largest one a Node timer can hold: the interpreter
 *   otherwise times every task out after 60 s, where AWS waits (the Lambda's own timeout applies).
 * - Timeouts above what a Node timer holds (~24.8 days) are clamped: larger values overflow and
 *   fire after 1 ms.
 */

type Json = Record<string, unknown>;

/** setTimeout holds at most 2^31-1 ms. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
/** Resource of the Task states that stand in for Wait states; never reaches a user handler. */
export const WAIT_RESOURCE = 'arn:aws:states:::local:wait';
/** Resource of the Task states that stand in for Pass states with a falsy Result. */
export const PASS_RESOURCE = 'arn:aws:states:::local:pass';

/** A Pass state the interpreter would get wrong: it ignores a Result that is falsy. */
export const hasFalsyResult = (state: Json): boolean => 'Result' in state && !state.Result;

export type StateType = 'Task' | 'Parallel' | 'Map' | 'Pass' | 'Wait' | 'Choice' | 'Succeed' | 'Fail';

export interface StateInfo {
  /** The type in the original definition (a Wait stays a Wait here). */
  type: StateType;
  /** The original state definition. */
  definition: Json;
}

export interface PreparedDefinition {
  runnable: Json;
  /**
   * Every state by name, nested ones (Map, Parallel) included. The interpreter looks handlers up
   * by state name across nested machines too, so names must be unique in the whole definition,
   * which AWS requires as well.
   */
  states: Map<string, StateInfo>;
}

export interface PreparationOptions {
  waitTimeScale: number;
  /** Caps the machine's TimeoutSeconds (Express workflows run at most 5 minutes). */
  maxExecutionSeconds?: number;
}

export function prepareDefinition(definition: object, options: PreparationOptions): PreparedDefinition {
  const states = new Map<string, StateInfo>();
  const runnable = prepareMachine(definition as Json, options, states);
  const limit = Math.min(options.maxExecutionSeconds ?? MAX_TIMER_SECONDS, MAX_TIMER_SECONDS);
  const timeout = typeof runnable.TimeoutSeconds === 'number' ? runnable.TimeoutSeconds : undefined;
  if (timeout !== undefined || options.maxExecutionSeconds !== undefined) {
    runnable.TimeoutSeconds = Math.min(timeout ?? limit, limit);
  }
  return { runnable, states };
}

function prepareMachine(machine: Json, options: PreparationOptions, states: Map<string, StateInfo>): Json {
  const source = isObject(machine.States) ? machine.States : {};
  const prepared: Json = {};
  for (const [name, state] of Object.entries(source)) {
    if (!isObject(state)) continue;
    const type = state.Type as StateType;
    if (!states.has(name)) states.set(name, { type, definition: state });
    prepared[name] = prepareState(state, type, options, states);
  }
  return { ...machine, States: prepared };
}

function prepareState(
  state: Json,
  type: StateType,
  options: PreparationOptions,
  states: Map<string, StateInfo>,
): Json {
  switch (type) {
    case 'Wait':
      return waitAsTask(state);
    case 'Pass':
      return hasFalsyResult(state) ? passAsTask(state) : state;
    case 'Task':
      return scaleRetries(withTaskTimeout(state), options.waitTimeScale);
    case 'Map': {
      const copy = scaleRetries(state, options.waitTimeScale);
      for (const key of ['ItemProcessor', 'Iterator'] as const) {
        if (isObject(copy[key])) copy[key] = prepareMachine(copy[key], options, states);
      }
      return copy;
    }
    case 'Parallel': {
      const copy = scaleRetries(state, options.waitTimeScale);
      if (Array.isArray(copy.Branches)) {
        copy.Branches = copy.Branches.map((branch: unknown) =>
          isObject(branch) ? prepareMachine(branch, options, states) : branch,
        );
      }
      return copy;
    }
    default:
      return state;
  }
}

/** The wait parameters travel through `Parameters`, so the interpreter itself resolves the paths. */
function waitAsTask(wait: Json): Json {
  const parameters: Json = { 'input.$': '$' };
  if (wait.Seconds !== undefined) parameters.seconds = wait.Seconds;
  else if (wait.SecondsPath !== undefined) parameters['seconds.$'] = wait.SecondsPath;
  else if (wait.Timestamp !== undefined) parameters.timestamp = wait.Timestamp;
  else if (wait.TimestampPath !== undefined) parameters['timestamp.$'] = wait.TimestampPath;
  const task: Json = {
    Type: 'Task',
    Resource: WAIT_RESOURCE,
    Parameters: parameters,
    TimeoutSeconds: MAX_TIMER_SECONDS,
  };
  for (const key of ['Comment', 'InputPath', 'OutputPath', 'Next', 'End']) {
    if (key in wait) task[key] = wait[key];
  }
  return task;
}

function passAsTask(pass: Json): Json {
  const task: Json = { Type: 'Task', Resource: PASS_RESOURCE, TimeoutSeconds: MAX_TIMER_SECONDS };
  for (const key of ['Comment', 'InputPath', 'ResultPath', 'OutputPath', 'Next', 'End']) {
    if (key in pass) task[key] = pass[key];
  }
  return task;
}

function withTaskTimeout(task: Json): Json {
  if (task.TimeoutSecondsPath !== undefined) return task;
  const timeout = typeof task.TimeoutSeconds === 'number' ? task.TimeoutSeconds : MAX_TIMER_SECONDS;
  return { ...task, TimeoutSeconds: Math.min(timeout, MAX_TIMER_SECONDS) };
}

/** The interpreter's defaults: IntervalSeconds 1 (as AWS). */
function scaleRetries(state: Json, scale: number): Json {
  if (scale === 1 || !Array.isArray(state.Retry)) return { ...state };
  const retry = state.Retry.map((retrier: unknown) => {
    if (!isObject(retrier)) return retrier;
    const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
    const scaled: Json = { ...retrier, IntervalSeconds: interval * scale };
    if (typeof retrier.MaxDelaySeconds === 'number') scaled.MaxDelaySeconds = retrier.MaxDelaySeconds * scale;
    return scaled;
  });
  return { ...state, Retry: retry };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
