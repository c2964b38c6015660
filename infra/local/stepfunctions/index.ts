/**
 * The local Step Functions endpoint (see README.md in this folder): the operations the API uses and
 * ListExecutions for the AWS CLI, over the Step Functions JSON protocol. Executions run in
 * aws-local-stepfunctions with the task Lambdas called in-process, and are persisted under dataDir.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsError } from '../aws-server/aws-error.js';
import { Fields } from '../aws-server/fields.js';
import { paginate } from '../aws-server/paginate.js';
import { type JsonObject, jsonApi } from '../aws-server/protocols.js';
import type { AwsApi } from '../aws-server/server.js';
import { type LocalStateMachine, type PreparedMachine, prepareMachine } from './definition.js';
import { ExecutionRun, type InvokeLambda, type ServiceIntegration } from './execution-run.js';
import { appendEvent, type ExecutionRecord, ExecutionStore } from './execution-store.js';

export type { ExecutionStatus } from './execution-store.js';
export type { InvokeLambda, LocalStateMachine, ServiceIntegration };

/** ListExecutions' statusFilter values (the Step Functions API model). */
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

export interface LocalStepFunctionsOptions {
  /** Persistence (created if missing). Give the endpoint a directory of its own. */
  dataDir: string;
  stateMachines: LocalStateMachine[];
  invokeLambda: InvokeLambda;
  /** Service integrations by resource ARN; any other non-Lambda resource fails with States.Runtime. */
  integrations?: Readonly<Record<string, ServiceIntegration>>;
  /** Accepted for the callers' symmetry; the machines' ARNs carry their region. */
  region?: string;
  /** @default '000000000000' */
  accountId?: string;
  /** Scales every Retry interval (e.g. 0.01 in tests and benchmarks). @default 1 */
  waitTimeScale?: number;
  /**
   * Every execution that ends, as Step Functions sends "Step Functions Execution Status Change" to
   * EventBridge: each one that ends in this process, and at start-up each one a previous process
   * left running (marked ABORTED).
   */
  onExecutionEnd?: (execution: DescribedExecution) => void;
}

/** An execution as DescribeExecution shows it (dates as `Date`, like the SDK's output). */
export type DescribedExecution = Omit<ExecutionRecord, 'events' | 'startDate' | 'stopDate'> & {
  startDate: Date;
  stopDate?: Date;
};

export interface LocalStepFunctions {
  api: AwsApi;
  /**
   * Waits for in-flight writes. Running executions stop running in this process but stay RUNNING
   * on disk: the next instance on the same dataDir marks them ABORTED, exactly as after a crash.
   */
  close(): Promise<void>;
  /** For tests: resolves when the execution reaches a terminal status. */
  waitForExecution(executionArn: string, timeoutMs?: number): Promise<DescribedExecution>;
}

/** Executions RUNNING when the previous process stopped cannot resume: the interpreter keeps no checkpoints. */
export const RESTART_ERROR = 'Local.RuntimeRestarted';
export const RESTART_CAUSE =
  'The local Step Functions runtime restarted while this execution was running; local executions do not survive a restart.';
/**
 * StartExecution `name`: 1–80 characters, none of whitespace, `< > { } [ ] ? * " # % \ ^ | ~ \` $ & , ; : /`
 * or control characters (Step Functions API reference).
 */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

const invalid = (message: string) => new AwsError('ValidationException', message);
const invalidToken = () =>
  new AwsError('InvalidToken', 'Invalid Token: the nextToken does not belong to this request');
/** awsJson timestamps are epoch seconds. */
const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export function createLocalStepFunctions(options: LocalStepFunctionsOptions): LocalStepFunctions {
  const scale = options.waitTimeScale ?? 1;
  if (!(scale >= 0 && Number.isFinite(scale)))
    throw new Error(`waitTimeScale must be a finite number >= 0: ${scale}`);
  const machines = new Map<string, PreparedMachine>();
  for (const machine of options.stateMachines)
    machines.set(machine.arn, prepareMachine(machine, scale, options.accountId));
  const records = new Map<string, ExecutionRecord>();
  const runs = new Map<string, ExecutionRun>();
  const store = new ExecutionStore(options.dataDir);
  const ready = store.load().then((loaded) => {
    for (const record of loaded) {
      if (record.status === 'RUNNING') {
        const failure = { error: RESTART_ERROR, cause: RESTART_CAUSE };
        Object.assign(record, { status: 'ABORTED', stopDate: Date.now() }, failure);
        appendEvent(record, 'ExecutionAborted', failure);
        store.save(record);
        options.onExecutionEnd?.(described(record));
      }
      records.set(record.executionArn, record);
    }
  });

  const findMachine = (arn: string) => {
    const machine = machines.get(arn);
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  };
  const findExecution = (input: Fields) => {
    const arn = input.string('executionArn', { required: true, min: 1, max: 256 });
    const record = records.get(arn);
    if (!record) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  };
  /** maxResults 0 or absent means the default page of 100; the maximum is 1000 (model). */
  const page = <T>(items: T[], input: Fields, scope: string) =>
    paginate(
      items,
      {
        maxResults: input.integer('maxResults', 0, 1000) || 100,
        nextToken: input.string('nextToken', { min: 1, max: 3096 }),
        scope,
      },
      invalidToken,
    );

  /** Starts an execution; `persist: false` for Express runs, of which AWS keeps no record either. */
  const start = async (body: JsonObject, persist: boolean) => {
    await ready;
    const input = new Fields(body, invalid);
    const target = findMachine(input.string('stateMachineArn', { required: true, min: 1, max: 256 }));
    if (!persist && target.machine.type !== 'EXPRESS') {
      throw new AwsError('StateMachineTypeNotSupported', 'StartSyncExecution needs an EXPRESS state machine');
    }
    const name = input.string('name') ?? randomUUID();
    if (!EXECUTION_NAME.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
    const executionInput = input.string('input', { max: 262144 }) ?? '{}';
    try {
      JSON.parse(executionInput);
    } catch (error) {
      throw new AwsError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${String(error)}'`,
      );
    }
    const kind = persist ? ':execution:' : ':express:';
    const executionArn = `${target.machine.arn.replace(':stateMachine:', kind)}:${name}${persist ? '' : `:${randomUUID()}`}`;
    const existing = records.get(executionArn);
    // Idempotent only while the first one runs with the same input (StartExecution API reference).
    if (existing?.status === 'RUNNING' && existing.input === executionInput) return existing;
    if (existing) throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: target.machine.arn,
      name,
      status: 'RUNNING',
      startDate: Date.now(),
      input: executionInput,
      events: [],
    };
    if (persist) records.set(executionArn, record);
    const run = new ExecutionRun(
      target,
      record,
      options.invokeLambda,
      (changed) => persist && store.save(changed),
      options.integrations ?? {},
    );
    runs.set(executionArn, run);
    void run.done.then(() => {
      runs.delete(executionArn);
      if (persist && record.status !== 'RUNNING') options.onExecutionEnd?.(described(record));
    });
    return persist ? record : run.done.then(() => record);
  };

  const summary = (record: ExecutionRecord) => {
    const { executionArn, stateMachineArn, name, status, startDate, stopDate } = record;
    return {
      executionArn,
      stateMachineArn,
      name,
      status,
      startDate: seconds(startDate),
      stopDate: seconds(stopDate),
    };
  };
  const description = (record: ExecutionRecord) => ({
    ...summary(record),
    input: record.input,
    inputDetails: { included: true },
    ...(record.output !== undefined && { output: record.output, outputDetails: { included: true } }),
    error: record.error,
    cause: record.cause,
  });

  return {
    api: jsonApi('json-1.0', 'AWSStepFunctions.', {
      async StartExecution(body) {
        const record = await start(body, true);
        return { executionArn: record.executionArn, startDate: seconds(record.startDate) };
      },
      async StartSyncExecution(body) {
        return description(await start(body, false));
      },
      async StopExecution(body) {
        await ready;
        const input = new Fields(body, invalid);
        const record = findExecution(input);
        const error = input.string('error', { max: 256 });
        const cause = input.string('cause', { max: 32768 });
        runs.get(record.executionArn)?.stop({
          ...(error !== undefined && { error }),
          ...(cause !== undefined && { cause }),
        });
        return { stopDate: seconds(record.stopDate ?? Date.now()) };
      },
      async DescribeExecution(body) {
        await ready;
        return description(findExecution(new Fields(body, invalid)));
      },
      async ListExecutions(body) {
        await ready;
        const input = new Fields(body, invalid);
        const machineArn = input.string('stateMachineArn', { required: true, min: 1, max: 256 });
        const status = input.string('statusFilter', { oneOf: STATUSES });
        findMachine(machineArn);
        // Newest first, as the console and the CLI list them; ties broken by ARN for a stable order.
        const matching = [...records.values()]
          .filter((r) => r.stateMachineArn === machineArn && (status === undefined || r.status === status))
          .sort((a, b) => b.startDate - a.startDate || a.executionArn.localeCompare(b.executionArn));
        const { items, nextToken } = page(matching, input, `executions ${machineArn}`);
        return { executions: items.map(summary), nextToken };
      },
      async GetExecutionHistory(body) {
        await ready;
        const input = new Fields(body, invalid);
        const record = findExecution(input);
        const withData = input.boolean('includeExecutionData') ?? true;
        const { items, nextToken } = page(record.events, input, `history ${record.executionArn}`);
        const events = items.map(({ timestamp, detailsKey, details = {}, ...event }) => {
          const data = Object.entries(details).filter(
            ([key]) => withData || !/^(input|output)(Details)?$/.test(key),
          );
          const detailsMember = detailsKey && { [detailsKey]: Object.fromEntries(data) };
          return { ...event, timestamp: seconds(timestamp), ...detailsMember };
        });
        return { events, nextToken };
      },
    }),
    async close() {
      await ready.catch(() => undefined);
      for (const run of runs.values()) run.detach();
      await store.flush();
    },
    async waitForExecution(executionArn, timeoutMs = 30_000): Promise<DescribedExecution> {
      await ready;
      const record = records.get(executionArn);
      if (!record) throw new Error(`no execution ${executionArn}`);
      const timeout = sleep(timeoutMs, 'timeout', { ref: false });
      if ((await Promise.race([runs.get(executionArn)?.done, timeout])) === 'timeout')
        throw new Error(`execution ${executionArn} is still RUNNING after ${timeoutMs} ms`);
      return described(record);
    },
  };
}

function described(record: ExecutionRecord): DescribedExecution {
  const { events: _events, startDate, stopDate, ...rest } = record;
  return {
    ...rest,
    startDate: new Date(startDate),
    ...(stopDate !== undefined && { stopDate: new Date(stopDate) }),
  };
}
