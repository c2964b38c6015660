/**
 * One execution running in aws-local-stepfunctions, its event stream translated into an AWS-shaped
 * history: `<Type>StateEntered/Exited`, `LambdaFunctionScheduled/Started/Succeeded/Failed/TimedOut`
 * (`Task*` for a service integration) and the closing `Execution*` event. Task states call the task
 * Lambdas in-process.
 */
import '../polyfills.js';
import type { StateMachine } from 'aws-local-stepfunctions';
import type { PreparedMachine, TaskState } from './definition.js';
import { appendEvent, type ExecutionRecord, type ExecutionStatus } from './execution-store.js';

/**
 * Runs a task Lambda in-process with `payload`, a plain JSON value. What it returns is
 * JSON-serialised like a Lambda response; a thrown error fails the task with the error's `name` as
 * the Step Functions error (Lambda's `errorType`).
 */
export type InvokeLambda = (functionArn: string, payload: unknown) => Promise<unknown>;

/**
 * A service integration this runtime runs itself, by its Task `Resource`
 * (`arn:<partition>:states:::mediaconvert:createJob.sync`): it gets the state's effective Parameters and
 * answers what the service's API would (for `.sync`, once the job has finished). A thrown error
 * fails the task with the error's `name` (e.g. `States.TaskFailed` for a job that ended in error).
 */
export type ServiceIntegration = (
  parameters: unknown,
  context: { executionArn: string; state: string },
) => Promise<unknown>;

type Run = ReturnType<StateMachine['run']>;
type InterpreterEvent = Run['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type JsonValue = Parameters<StateMachine['run']>[0];

const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:.+$/;
/** Step Functions' limit on `cause` (HistoryEvent details, DescribeExecution). */
const MAX_CAUSE_LENGTH = 32768;
const json = (value: unknown): string => JSON.stringify(value ?? null);
/** Lambda payloads and results cross a JSON boundary; undefined becomes null as in Lambda. */
const asJson = (value: unknown): JsonValue => JSON.parse(json(value)) as JsonValue;
const untruncated = { truncated: false };

export class ExecutionRun {
  readonly done: Promise<void>;
  private readonly abort: () => void;
  /** Task invocations in flight; one the interpreter timed out is dropped and must not log. */
  private readonly inFlight = new Set<{ state: string }>();
  private detached = false;

  constructor(
    private readonly target: PreparedMachine,
    readonly record: ExecutionRecord,
    private readonly invokeLambda: InvokeLambda,
    /** Called after every change of the record. */
    private readonly onChange: (record: ExecutionRecord) => void,
    private readonly integrations: Readonly<Record<string, ServiceIntegration>> = {},
  ) {
    this.append('ExecutionStarted', {
      input: record.input,
      inputDetails: untruncated,
      roleArn: target.roleArn,
    });
    const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const [name, task] of target.prepared.tasks)
      handlers[name] = (input) => this.runTask(name, task, input);
    const run = target.interpreter.run(JSON.parse(record.input) as JsonValue, {
      overrides: { taskResourceLocalHandlers: handlers },
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
    this.abort = run.abort;
    this.done = this.consume(run.eventLogs);
  }

  /** StopExecution: ends the execution ABORTED with the caller's error and cause, as the console's Stop does. */
  stop(fields: { error?: string; cause?: string }): void {
    this.finish('ABORTED', fields);
    this.abort();
  }

  /** Stops running in this process without recording anything (the process is going away). */
  detach(): void {
    this.detached = true;
    this.abort();
  }

  private get closed(): boolean {
    return this.detached || this.record.status !== 'RUNNING';
  }

  private async consume(events: AsyncGenerator<InterpreterEvent>): Promise<void> {
    try {
      for await (const event of events) this.translate(event);
    } catch (error) {
      this.finish('FAILED', { error: 'States.Runtime', cause: `local runtime error: ${String(error)}` });
    }
    this.finish('FAILED', { error: 'States.Runtime', cause: 'the interpreter stopped without a result' });
  }

  private translate(event: InterpreterEvent): void {
    if (event.type === 'StateEntered' || event.type === 'StateExited') {
      const entered = event.type === 'StateEntered';
      this.append(`${event.state.type}${event.type}`, {
        name: event.state.name,
        ...(entered
          ? { input: json(event.state.input), inputDetails: untruncated }
          : { output: json(event.state.output), outputDetails: untruncated }),
      });
    } else if (event.type === 'StateFailed' && event.Error === 'States.Timeout') {
      // The interpreter gave up on the task; its handler may still finish later and must not log.
      const timedOut = [...this.inFlight].find((invocation) => invocation.state === event.state.name);
      if (timedOut && this.inFlight.delete(timedOut)) {
        this.append('LambdaFunctionTimedOut', { error: 'States.Timeout' });
      }
    } else if (event.type === 'ExecutionSucceeded') {
      this.finish('SUCCEEDED', { output: json(event.output) });
    } else if (event.type === 'ExecutionFailed') {
      this.finish('FAILED', {
        error: event.Error,
        cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause),
      });
    } else if (event.type === 'ExecutionTimeout') {
      const seconds = String(this.target.prepared.runnable.TimeoutSeconds);
      this.finish('TIMED_OUT', {
        error: 'States.Timeout',
        cause: `The execution ran longer than its TimeoutSeconds (${seconds} s).`,
      });
    }
  }

  private finish(status: ExecutionStatus, fields: { output?: string; error?: string; cause?: string }): void {
    if (this.closed) return;
    Object.assign(this.record, { status, stopDate: Date.now() }, fields);
    // SUCCEEDED → ExecutionSucceeded, TIMED_OUT → ExecutionTimedOut, ...
    const name = status.toLowerCase().replace(/(^|_)(\w)/g, (_, __, letter: string) => letter.toUpperCase());
    const { output, ...failure } = fields;
    const details = output === undefined ? failure : { output, outputDetails: untruncated };
    appendEvent(this.record, `Execution${name}`, details);
    this.onChange(this.record);
  }

  private append(type: string, details?: Record<string, unknown>): void {
    if (this.closed) return;
    appendEvent(this.record, type, details);
    this.onChange(this.record);
  }

  /**
   * A task, with the history AWS writes for it: LambdaFunctionScheduled, LambdaFunctionStarted, then
   * LambdaFunctionSucceeded or LambdaFunctionFailed; for a service integration the same with `Task`
   * (`resourceType`/`resource` as in `arn:<partition>:states:::<type>:<resource>`).
   */
  private async runTask(
    state: string,
    { resource, timeoutSeconds }: TaskState,
    input: JsonValue,
  ): Promise<JsonValue> {
    // The interpreter queues its "state entered" event right before calling a task handler; the next
    // macrotask lets that event reach the history before the handler adds its own.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.closed) return null;
    const integration = this.integrations[resource];
    if (!integration && !LAMBDA_ARN.test(resource)) {
      // Not a task this runtime can run: a States.Runtime error, which no Retry or Catch handles.
      throw Object.assign(new Error(`The local runtime runs Lambda function ARNs only, not ${resource}`), {
        name: 'States.Runtime',
        isRetryable: false,
        isCatchable: false,
      });
    }
    const [resourceType = '', name = ''] = resource.split(':::')[1]?.split(':') ?? [];
    const ids = integration && { resourceType, resource: name };
    const kind = integration ? 'Task' : 'LambdaFunction';
    this.append(
      `${kind}Scheduled`,
      ids
        ? { ...ids, parameters: json(input) }
        : {
            resource,
            input: json(input),
            inputDetails: untruncated,
            ...(timeoutSeconds !== undefined && { timeoutInSeconds: timeoutSeconds }),
          },
    );
    this.append(`${kind}Started`, ids);
    const invocation = { state };
    this.inFlight.add(invocation);
    try {
      const result = asJson(
        await (integration
          ? integration(asJson(input), { executionArn: this.record.executionArn, state })
          : this.invokeLambda(resource, asJson(input))),
      );
      if (this.inFlight.delete(invocation))
        this.append(`${kind}Succeeded`, { ...ids, output: json(result), outputDetails: untruncated });
      return result;
    } catch (thrown) {
      const failure = integration ? integrationFailure(thrown) : lambdaFailure(thrown);
      if (this.inFlight.delete(invocation)) this.append(`${kind}Failed`, { ...ids, ...failure });
      // The interpreter matches Retry/Catch on the error's name and puts its message in the Cause.
      throw Object.assign(new Error(failure.cause), { name: failure.error });
    }
  }
}

function integrationFailure(thrown: unknown): { error: string; cause: string } {
  return {
    error: thrown instanceof Error && thrown.name ? thrown.name : 'States.TaskFailed',
    cause: (thrown instanceof Error ? thrown.message : String(thrown)).slice(0, MAX_CAUSE_LENGTH),
  };
}

/**
 * A Lambda error as Step Functions sees it: error = the function's errorType (the thrown error's
 * `name`), cause = the JSON Lambda's Node.js runtime returns.
 */
function lambdaFailure(thrown: unknown): { error: string; cause: string } {
  const errorType = thrown instanceof Error && thrown.name ? thrown.name : 'Error';
  const errorMessage = thrown instanceof Error ? thrown.message : String(thrown);
  const trace = thrown instanceof Error ? (thrown.stack?.split('\n') ?? []) : [];
  const cause = JSON.stringify({ errorType, errorMessage, trace });
  return {
    error: errorType,
    cause:
      cause.length <= MAX_CAUSE_LENGTH
        ? cause
        : JSON.stringify({ errorType, errorMessage: errorMessage.slice(0, MAX_CAUSE_LENGTH / 2) }),
  };
}
