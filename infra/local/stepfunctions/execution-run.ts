// aws-local-stepfunctions 3 calls Promise.withResolvers, which Node 20 lacks: polyfill first.
import '../polyfills.js';
import { type StateMachine } from 'aws-local-stepfunctions';
import {
  hasFalsyResult,
  MAX_TIMER_SECONDS,
  type PreparedDefinition,
  type StateType,
} from './definition-preparation.js';
import { appendEvent, type ExecutionRecord, isTerminal } from './execution-record.js';
import {
  asLambdaJson,
  integrationFailure,
  interpreterError,
  isStatesFailure,
  lambdaFailure,
  lambdaInvokeOutput,
  lambdaInvokeParameters,
  type StatesFailure,
  type TaskTarget,
  taskTarget,
} from './task-resources.js';
import type { ExecutionStatus, InvokeLambda, InvokeServiceIntegration, LocalStateMachine } from './types.js';

type Run = ReturnType<StateMachine['run']>;
type InterpreterEvent = Run['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type RunInput = Parameters<StateMachine['run']>[0];
type TaskHandlers = Record<string, (input: RunInput) => Promise<RunInput>>;

export interface PreparedMachine {
  machine: LocalStateMachine;
  roleArn: string;
  prepared: PreparedDefinition;
  interpreter: StateMachine;
}

export interface RunDependencies {
  invokeLambda: InvokeLambda;
  invokeServiceIntegration?: InvokeServiceIntegration;
  region: string;
  waitTimeScale: number;
  /** Called after every change of the record (history event, status). */
  onChange(record: ExecutionRecord): void;
  /** Called once, when the execution reaches a terminal status. */
  onSettled(record: ExecutionRecord): void;
}

interface TaskInvocation {
  stateName: string;
  target: TaskTarget;
  abandoned: boolean;
}

/** What the interpreter puts in a Fail state's error when the state gives no Error/Cause. */
const FAIL_STATE_DEFAULT_ERROR = 'FailStateError';
const FAIL_STATE_DEFAULT_CAUSE = 'Execution failed because of a Fail state';

const json = (value: unknown): string => JSON.stringify(value ?? null);
const noTruncation = { truncated: false };

/**
 * One execution running in aws-local-stepfunctions, translating its event stream into an AWS-shaped
 * history on the record. The interpreter's events are the single source of ordering: task handlers
 * add their Lambda/Task events in between, after the interpreter's own "state entered" event has
 * been consumed (see `afterPendingEvents`).
 */
export class ExecutionRun {
  readonly done: Promise<void>;
  private readonly waits = new AbortController();
  private readonly abortInterpreter: () => void;
  private readonly inFlight = new Set<TaskInvocation>();
  private readonly failedStates = new Set<string>();
  private stopRequest: { error?: string; cause?: string } | undefined;
  private lastFailState: Record<string, unknown> | undefined;
  private detached = false;

  constructor(
    private readonly target: PreparedMachine,
    readonly record: ExecutionRecord,
    private readonly deps: RunDependencies,
  ) {
    this.append('ExecutionStarted', 'executionStartedEventDetails', {
      input: record.input,
      inputDetails: noTruncation,
      roleArn: target.roleArn,
    });
    const run = target.interpreter.run(JSON.parse(record.input) as RunInput, {
      overrides: { taskResourceLocalHandlers: this.taskHandlers() },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          RoleArn: target.roleArn,
          StartTime: new Date(record.startDate).toISOString(),
        },
        StateMachine: { Id: target.machine.arn, Name: target.machine.name },
      },
    });
    // The outcome is read from the event stream; the promise only must not reject unhandled.
    run.result.catch(() => undefined);
    this.abortInterpreter = run.abort;
    this.done = this.consume(run.eventLogs);
  }

  /** StopExecution: ends the execution as ABORTED with the caller's error and cause. */
  async stop(error?: string, cause?: string): Promise<void> {
    if (this.closed) return;
    this.stopRequest = { ...(error !== undefined && { error }), ...(cause !== undefined && { cause }) };
    this.abortInterpreter();
    await this.done;
  }

  /** Stops running in this process without recording anything (the process is going away). */
  detach(): void {
    this.detached = true;
    this.waits.abort();
    this.abortInterpreter();
  }

  private get closed(): boolean {
    return this.detached || isTerminal(this.record.status);
  }

  private async consume(events: AsyncGenerator<InterpreterEvent>): Promise<void> {
    try {
      for await (const event of events) this.translate(event);
    } catch (error) {
      this.finish('FAILED', { error: 'States.Runtime', cause: `local runtime error: ${String(error)}` });
    }
    this.finish('FAILED', { error: 'States.Runtime', cause: 'the interpreter stopped without a result' });
    this.waits.abort();
  }

  private translate(event: InterpreterEvent): void {
    switch (event.type) {
      case 'StateEntered':
        this.stateEntered(event.state.name, event.state.input);
        break;
      case 'StateExited':
        this.stateExited(event.state.name, event.state.output);
        break;
      case 'StateFailed':
        this.stateFailed(event.state.name, event.Error);
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `mapIteration${event.type.slice('MapIteration'.length)}EventDetails`;
        this.append(event.type, key, { name: event.parentState.name, index: event.index });
        break;
      }
      case 'ExecutionSucceeded':
        this.finish('SUCCEEDED', { output: json(event.output) });
        break;
      case 'ExecutionFailed':
        this.finish('FAILED', this.executionFailure(event.Error, event.Cause));
        break;
      case 'ExecutionTimeout':
        this.finish('TIMED_OUT', {
          error: 'States.Timeout',
          cause: `The execution ran longer than the state machine's TimeoutSeconds (${String(this.target.prepared.runnable.TimeoutSeconds)} s)`,
        });
        break;
      case 'ExecutionAborted':
        this.finish('ABORTED', this.stopRequest ?? {});
        break;
      default:
        // StateRetried, StateCaught, ParallelBranch*: AWS histories have no such events.
        break;
    }
  }

  private typeOf(stateName: string): StateType {
    return this.target.prepared.states.get(stateName)?.type ?? 'Task';
  }

  private stateEntered(name: string, input: unknown): void {
    const type = this.typeOf(name);
    this.append(`${type}StateEntered`, 'stateEnteredEventDetails', {
      name,
      input: json(input),
      inputDetails: noTruncation,
    });
    if (type === 'Fail') this.lastFailState = this.target.prepared.states.get(name)?.definition;
    if (type === 'Map') {
      const length = mapItemCount(this.target.prepared.states.get(name)?.definition, input);
      this.append('MapStateStarted', 'mapStateStartedEventDetails', length === undefined ? {} : { length });
    }
    if (type === 'Parallel') this.append('ParallelStateStarted');
  }

  private stateExited(name: string, output: unknown): void {
    const type = this.typeOf(name);
    if ((type === 'Map' || type === 'Parallel') && !this.failedStates.delete(name)) {
      this.append(`${type}StateSucceeded`);
    }
    this.append(`${type}StateExited`, 'stateExitedEventDetails', {
      name,
      output: json(output),
      outputDetails: noTruncation,
    });
  }

  private stateFailed(name: string, error: string): void {
    const type = this.typeOf(name);
    if (type === 'Map' || type === 'Parallel') {
      this.failedStates.add(name);
      this.append(`${type}StateFailed`);
      return;
    }
    if (type !== 'Task' || error !== 'States.Timeout') return;
    // The interpreter gave up on the task; its handler may still finish later and must not log.
    for (const invocation of this.inFlight) {
      if (invocation.stateName !== name) continue;
      invocation.abandoned = true;
      this.inFlight.delete(invocation);
      if (invocation.target.kind === 'lambda-arn') {
        this.append('LambdaFunctionTimedOut', 'lambdaFunctionTimedOutEventDetails', {
          error: 'States.Timeout',
        });
      } else {
        const { resourceType, resource } = invocation.target;
        this.append('TaskTimedOut', 'taskTimedOutEventDetails', {
          resourceType,
          resource,
          error: 'States.Timeout',
        });
      }
    }
  }

  /** The interpreter's defaults for a Fail state without Error/Cause are not AWS's (no error, no cause). */
  private executionFailure(error: string, cause: unknown): { error?: string; cause?: string } {
    const causeText = typeof cause === 'string' ? cause : json(cause);
    const fail = this.lastFailState;
    const keepError = !(fail && error === FAIL_STATE_DEFAULT_ERROR && !fail.Error && !fail.ErrorPath);
    const keepCause = !(fail && causeText === FAIL_STATE_DEFAULT_CAUSE && !fail.Cause && !fail.CausePath);
    return { ...(keepError && { error }), ...(keepCause && { cause: causeText }) };
  }

  private finish(status: ExecutionStatus, fields: { output?: string; error?: string; cause?: string }): void {
    if (this.closed) return;
    const record = this.record;
    record.status = status;
    record.stopDate = Date.now();
    Object.assign(record, fields);
    const failure = {
      ...(fields.error !== undefined && { error: fields.error }),
      ...(fields.cause !== undefined && { cause: fields.cause }),
    };
    if (status === 'SUCCEEDED') {
      appendEvent(record, 'ExecutionSucceeded', {
        key: 'executionSucceededEventDetails',
        value: { output: fields.output, outputDetails: noTruncation },
      });
    } else if (status === 'FAILED') {
      appendEvent(record, 'ExecutionFailed', { key: 'executionFailedEventDetails', value: failure });
    } else if (status === 'TIMED_OUT') {
      appendEvent(record, 'ExecutionTimedOut', { key: 'executionTimedOutEventDetails', value: failure });
    } else {
      appendEvent(record, 'ExecutionAborted', { key: 'executionAbortedEventDetails', value: failure });
    }
    this.waits.abort();
    this.deps.onChange(record);
    this.deps.onSettled(record);
  }

  private append(type: string, detailsKey?: string, details?: Record<string, unknown>): void {
    if (this.closed) return;
    appendEvent(this.record, type, detailsKey && details ? { key: detailsKey, value: details } : undefined);
    this.deps.onChange(this.record);
  }

  private taskHandlers(): TaskHandlers {
    const handlers: TaskHandlers = {};
    for (const [name, info] of this.target.prepared.states) {
      if (info.type === 'Wait') handlers[name] = (input) => this.runWait(input);
      if (info.type === 'Pass' && hasFalsyResult(info.definition)) {
        const result = info.definition.Result as RunInput;
        handlers[name] = async () => result;
      }
      if (info.type === 'Task') {
        const resource = String(info.definition.Resource);
        const timeout = info.definition.TimeoutSeconds;
        const timeoutInSeconds = typeof timeout === 'number' ? timeout : undefined;
        handlers[name] = (input) => this.runTask(name, resource, timeoutInSeconds, input);
      }
    }
    return handlers;
  }

  private async runWait(input: RunInput): Promise<RunInput> {
    const {
      input: passThrough,
      seconds,
      timestamp,
    } = (input ?? {}) as {
      input: RunInput;
      seconds?: unknown;
      timestamp?: unknown;
    };
    let ms = 0;
    if (seconds !== undefined) {
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
        throw interpreterError(
          { error: 'States.Runtime', cause: `Wait seconds must be an integer >= 0, got ${json(seconds)}` },
          false,
        );
      }
      ms = seconds * 1000;
    } else if (timestamp !== undefined) {
      const at = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
      if (Number.isNaN(at)) {
        throw interpreterError(
          { error: 'States.Runtime', cause: `Wait timestamp is not a timestamp: ${json(timestamp)}` },
          false,
        );
      }
      ms = at - Date.now();
    }
    await sleep(Math.max(0, ms) * this.deps.waitTimeScale, this.waits.signal);
    return passThrough;
  }

  private async runTask(
    stateName: string,
    resource: string,
    timeoutInSeconds: number | undefined,
    input: RunInput,
  ): Promise<RunInput> {
    await afterPendingEvents();
    if (this.closed) return null;
    const target = taskTarget(resource);
    if (!target) {
      throw interpreterError(
        { error: 'States.Runtime', cause: `The local runtime cannot run the resource ${resource}` },
        false,
      );
    }
    const invocation: TaskInvocation = { stateName, target, abandoned: false };
    this.inFlight.add(invocation);
    try {
      if (target.kind === 'lambda-arn')
        return await this.invokeLambdaArn(invocation, target.functionArn, input, timeoutInSeconds);
      return await this.invokeIntegration(invocation, target, resource, input, timeoutInSeconds);
    } finally {
      this.inFlight.delete(invocation);
    }
  }

  private async invokeLambdaArn(
    invocation: TaskInvocation,
    functionArn: string,
    input: RunInput,
    timeoutInSeconds: number | undefined,
  ): Promise<RunInput> {
    this.append('LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', {
      resource: functionArn,
      input: json(input),
      inputDetails: noTruncation,
      ...(timeoutInSeconds !== undefined && timeoutInSeconds < MAX_TIMER_SECONDS && { timeoutInSeconds }),
    });
    this.append('LambdaFunctionStarted');
    let result: RunInput;
    try {
      result = asLambdaJson(await this.deps.invokeLambda(functionArn, asLambdaJson(input))) as RunInput;
    } catch (thrown) {
      const failure = lambdaFailure(thrown);
      if (!invocation.abandoned)
        this.append('LambdaFunctionFailed', 'lambdaFunctionFailedEventDetails', { ...failure });
      throw interpreterError(failure);
    }
    if (!invocation.abandoned) {
      this.append('LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', {
        output: json(result),
        outputDetails: noTruncation,
      });
    }
    return result;
  }

  private async invokeIntegration(
    invocation: TaskInvocation,
    target: Exclude<TaskTarget, { kind: 'lambda-arn' }>,
    resource: string,
    input: RunInput,
    timeoutInSeconds: number | undefined,
  ): Promise<RunInput> {
    const { resourceType, resource: operation } = target;
    const ids = { resourceType, resource: operation };
    const invoke = this.integrationCall(target, resource, input);
    if (isStatesFailure(invoke)) throw interpreterError(invoke, false);
    this.append('TaskScheduled', 'taskScheduledEventDetails', {
      ...ids,
      region: this.deps.region,
      parameters: json(input),
      ...(timeoutInSeconds !== undefined && timeoutInSeconds < MAX_TIMER_SECONDS && { timeoutInSeconds }),
    });
    this.append('TaskStarted', 'taskStartedEventDetails', ids);
    let output: RunInput;
    try {
      output = (await invoke.call()) as RunInput;
    } catch (thrown) {
      const failure = invoke.failure(thrown);
      if (!invocation.abandoned) this.append('TaskFailed', 'taskFailedEventDetails', { ...ids, ...failure });
      throw interpreterError(failure);
    }
    if (!invocation.abandoned) {
      this.append('TaskSucceeded', 'taskSucceededEventDetails', {
        ...ids,
        output: json(output),
        outputDetails: noTruncation,
      });
    }
    return output;
  }

  private integrationCall(
    target: Exclude<TaskTarget, { kind: 'lambda-arn' }>,
    resource: string,
    input: RunInput,
  ): { call: () => Promise<unknown>; failure: (thrown: unknown) => StatesFailure } | StatesFailure {
    if (target.kind === 'lambda-invoke') {
      const params = lambdaInvokeParameters(input);
      if (isStatesFailure(params)) return params;
      const { invokeLambda } = this.deps;
      const call = async (): Promise<unknown> => {
        const payload = asLambdaJson(params.payload);
        if (params.invocationType === 'DryRun') return lambdaInvokeOutput('', 204);
        if (params.invocationType === 'Event') {
          // Asynchronous invocation: Lambda answers 202 at once; the function's outcome is not the task's.
          invokeLambda(params.functionName, payload).catch((error: unknown) => {
            console.warn(`[local stepfunctions] async invocation of ${params.functionName} failed:`, error);
          });
          return lambdaInvokeOutput('', 202);
        }
        return lambdaInvokeOutput(asLambdaJson(await invokeLambda(params.functionName, payload)), 200);
      };
      return { call, failure: lambdaFailure };
    }
    const integrate = this.deps.invokeServiceIntegration;
    if (!integrate) {
      return {
        error: 'States.Runtime',
        cause: `The local runtime has no handler for ${resource}: pass invokeServiceIntegration`,
      };
    }
    return {
      call: async () => asLambdaJson(await integrate(resource, asLambdaJson(input))),
      failure: integrationFailure,
    };
  }
}

/**
 * The interpreter queues its "state entered" event right before calling a task handler, and the
 * history consumer reads that queue through promise callbacks. Waiting for the next macrotask lets
 * every queued event reach the history before the handler adds its own.
 */
const afterPendingEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_SECONDS * 1000));
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Items a Map state iterates, for MapStateStarted's `length`, when InputPath/ItemsPath are plain paths. */
function mapItemCount(state: Record<string, unknown> | undefined, input: unknown): number | undefined {
  if (!state) return undefined;
  const effective = typeof state.InputPath === 'string' ? resolvePlainPath(input, state.InputPath) : input;
  const items =
    typeof state.ItemsPath === 'string' ? resolvePlainPath(effective, state.ItemsPath) : effective;
  return Array.isArray(items) ? items.length : undefined;
}

/** `$`, `$.a.b`, `$.a[0]`, `$['a']`; anything fancier resolves to undefined. */
function resolvePlainPath(value: unknown, path: string): unknown {
  if (!path.startsWith('$') || path.startsWith('$$')) return undefined;
  const steps = path.slice(1).match(/\.[^.[\]]+|\[\d+\]|\['[^']*'\]/g) ?? [];
  if (steps.join('') !== path.slice(1)) return undefined;
  let current = value;
  for (const step of steps) {
    if (typeof current !== 'object' || current === null) return undefined;
    const key = step.startsWith('.') ? step.slice(1) : step.slice(1, -1).replace(/^'|'$/g, '');
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
