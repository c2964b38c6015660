/**
 * The local Step Functions endpoint: the operations the API uses (StartExecution,
 * StartSyncExecution for the Express split machine, DescribeExecution, GetExecutionHistory) and
 * ListExecutions for the AWS CLI, over the Step Functions JSON protocol. Executions run in
 * aws-local-stepfunctions with the task Lambdas called in-process, and are persisted under dataDir.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../aws-server/aws-error.js';
import { Fields } from '../aws-server/fields.js';
import { paginate } from '../aws-server/paginate.js';
import { type JsonObject, jsonApi } from '../aws-server/protocols.js';
import { type PreparedMachine, prepareMachine } from './definition.js';
import { ExecutionRun } from './execution-run.js';
import { appendEvent, type ExecutionRecord, ExecutionStore } from './execution-store.js';
import type { DescribedExecution, LocalStepFunctions, LocalStepFunctionsOptions } from './types.js';

/** Executions RUNNING when the previous process stopped cannot resume: the interpreter keeps no checkpoints. */
export const RESTART_ERROR = 'Local.RuntimeRestarted';
export const RESTART_CAUSE =
  'The local Step Functions runtime restarted while this execution was running; local executions do not survive a restart.';
/**
 * StartExecution `name`: 1–80 characters, none of whitespace, `< > { } [ ] ? * " # % \ ^ | ~ \` $ & , ; : /`
 * or control characters (Step Functions API reference).
 */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

const invalid = (message: string) => new AwsError('ValidationException', message);
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

  const summary = ({
    executionArn,
    stateMachineArn,
    name,
    status,
    startDate,
    stopDate,
  }: ExecutionRecord) => ({
    executionArn,
    stateMachineArn,
    name,
    status,
    startDate: seconds(startDate),
    stopDate: seconds(stopDate),
  });
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
        const record = await start(body, false);
        const billed = Math.max(100, Math.ceil(((record.stopDate ?? 0) - record.startDate) / 100) * 100);
        return {
          ...description(record),
          billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billed },
        };
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
        const page = paginate(
          matching,
          pageRequest(input, `executions ${machineArn} ${status}`),
          invalidToken,
        );
        return { executions: page.items.map(summary), nextToken: page.nextToken };
      },
      async GetExecutionHistory(body) {
        await ready;
        const input = new Fields(body, invalid);
        const record = findExecution(input);
        const withData = input.boolean('includeExecutionData') ?? true;
        const page = paginate(
          record.events,
          pageRequest(input, `history ${record.executionArn}`),
          invalidToken,
        );
        const events = page.items.map(
          ({ timestamp, type, id, previousEventId, detailsKey, details = {} }) => {
            const data = Object.entries(details).filter(
              ([key]) => withData || !/^(input|output)(Details)?$/.test(key),
            );
            return {
              timestamp: seconds(timestamp),
              type,
              id,
              previousEventId,
              ...(detailsKey && { [detailsKey]: Object.fromEntries(data) }),
            };
          },
        );
        return { events, nextToken: page.nextToken };
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
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`execution ${executionArn} is still RUNNING after ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      await Promise.race([runs.get(executionArn)?.done, timeout]).finally(() => clearTimeout(timer));
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

const invalidToken = () =>
  new AwsError('InvalidToken', 'Invalid Token: the nextToken does not belong to this request');

/** maxResults 0 or absent means the default page of 100; the maximum is 1000 (model). */
function pageRequest(input: Fields, scope: string) {
  const maxResults = input.integer('maxResults', 0, 1000) || 100;
  return { maxResults, nextToken: input.string('nextToken', { min: 1, max: 3096 }), scope };
}
