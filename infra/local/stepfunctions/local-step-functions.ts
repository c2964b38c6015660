/**
 * The local Step Functions endpoint: the operations the API uses (StartExecution,
 * StartSyncExecution for the Express split machine, DescribeExecution, GetExecutionHistory) and
 * ListExecutions for the AWS CLI, over the Step Functions JSON protocol. Executions run in
 * aws-local-stepfunctions with the task Lambdas called in-process, and are persisted under dataDir.
 */
import '../polyfills.js';
import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { AwsError } from '../aws-server/aws-error.js';
import { Fields } from '../aws-server/fields.js';
import { paginate } from '../aws-server/paginate.js';
import { type JsonObject, jsonApi } from '../aws-server/protocols.js';
import { EXPRESS_MAX_SECONDS, prepareDefinition, validateDefinition } from './definition.js';
import { ExecutionRun, type PreparedMachine } from './execution-run.js';
import { appendEvent, describe, type ExecutionRecord, ExecutionStore } from './execution-store.js';
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
const seconds = (ms: number) => ms / 1000;

export function createLocalStepFunctions(options: LocalStepFunctionsOptions): LocalStepFunctions {
  const scale = options.waitTimeScale ?? 1;
  if (!Number.isFinite(scale) || scale < 0)
    throw new Error(`waitTimeScale must be a finite number >= 0, got ${scale}`);
  const account = options.accountId ?? '000000000000';
  const machines = new Map<string, PreparedMachine>();
  for (const machine of options.stateMachines) {
    validateDefinition(machine.name, machine.definition);
    const prepared = prepareDefinition(
      machine.definition,
      scale,
      machine.type === 'EXPRESS' ? EXPRESS_MAX_SECONDS : undefined,
    );
    const interpreter = new StateMachine(prepared.runnable as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    const roleArn =
      machine.roleArn ?? `arn:aws:iam::${account}:role/service-role/StepFunctions-${machine.name}-role`;
    machines.set(machine.arn, { machine, roleArn, prepared, interpreter });
  }
  const records = new Map<string, ExecutionRecord>();
  const runs = new Set<ExecutionRun>();
  const waiters = new Map<string, Set<(record: ExecutionRecord) => void>>();
  const store = new ExecutionStore(options.dataDir);
  const ready = store.load().then((loaded) => {
    for (const record of loaded) {
      if (record.status === 'RUNNING') {
        Object.assign(record, {
          status: 'ABORTED',
          stopDate: Date.now(),
          error: RESTART_ERROR,
          cause: RESTART_CAUSE,
        });
        appendEvent(record, 'ExecutionAborted', 'executionAbortedEventDetails', {
          error: RESTART_ERROR,
          cause: RESTART_CAUSE,
        });
        store.save(record);
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

  /** Starts an execution; `persist: false` for Express runs, which AWS keeps no record of either. */
  const start = (body: JsonObject, persist: boolean) => {
    const input = new Fields(body, invalid);
    const target = findMachine(input.string('stateMachineArn', { required: true, min: 1, max: 256 }));
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
    const kind = persist ? 'execution' : 'express';
    const executionArn = `${target.machine.arn.replace(':stateMachine:', `:${kind}:`)}:${name}${persist ? '' : `:${randomUUID()}`}`;
    const existing = records.get(executionArn);
    if (existing) {
      // Idempotent only while the first one runs with the same input (StartExecution API reference).
      if (existing.status === 'RUNNING' && existing.input === executionInput) return existing;
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
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
    const run = new ExecutionRun(target, record, options.invokeLambda, (changed, settled) => {
      if (persist) store.save(changed);
      if (!settled) return;
      runs.delete(run);
      for (const waiter of waiters.get(changed.executionArn) ?? []) waiter(changed);
      waiters.delete(changed.executionArn);
    });
    runs.add(run);
    return run.record;
  };

  const describeWire = ({
    events: _events,
    startDate,
    stopDate,
    input,
    output,
    ...rest
  }: ExecutionRecord) => ({
    ...rest,
    startDate: seconds(startDate),
    ...(stopDate !== undefined && { stopDate: seconds(stopDate) }),
    input,
    inputDetails: { included: true },
    ...(output !== undefined && { output, outputDetails: { included: true } }),
  });

  const api = jsonApi('json-1.0', 'AWSStepFunctions.', {
    async StartExecution(body) {
      await ready;
      const record = start(body, true);
      return { executionArn: record.executionArn, startDate: seconds(record.startDate) };
    },

    async StartSyncExecution(body) {
      await ready;
      const arn = new Fields(body, invalid).string('stateMachineArn');
      if (arn !== undefined && findMachine(arn).machine.type !== 'EXPRESS') {
        throw new AwsError(
          'StateMachineTypeNotSupported',
          'StartSyncExecution needs an EXPRESS state machine',
        );
      }
      const record = start(body, false);
      await new Promise<void>((resolve) => waiters.set(record.executionArn, new Set([() => resolve()])));
      const billed = Math.max(
        100,
        Math.ceil(((record.stopDate ?? Date.now()) - record.startDate) / 100) * 100,
      );
      return {
        ...describeWire(record),
        billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billed },
      };
    },

    async DescribeExecution(body) {
      await ready;
      return describeWire(findExecution(new Fields(body, invalid)));
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
      const page = paginate(matching, pageRequest(input, `executions ${machineArn} ${status}`), invalidToken);
      return {
        executions: page.items.map(
          ({ executionArn, stateMachineArn, name, status, startDate, stopDate }) => ({
            executionArn,
            stateMachineArn,
            name,
            status,
            startDate: seconds(startDate),
            ...(stopDate !== undefined && { stopDate: seconds(stopDate) }),
          }),
        ),
        ...(page.nextToken && { nextToken: page.nextToken }),
      };
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
      return {
        events: page.items.map(({ timestamp, type, id, previousEventId, detailsKey, details }) => ({
          timestamp: seconds(timestamp),
          type,
          id,
          previousEventId,
          ...(detailsKey &&
            details && {
              [detailsKey]: withData
                ? details
                : Object.fromEntries(
                    Object.entries(details).filter(([key]) => !/^(input|output)(Details)?$/.test(key)),
                  ),
            }),
        })),
        ...(page.nextToken && { nextToken: page.nextToken }),
      };
    },
  });

  return {
    api,
    async close() {
      await ready.catch(() => undefined);
      for (const run of runs) run.detach();
      runs.clear();
      await store.flush();
    },
    async waitForExecution(executionArn, timeoutMs = 30_000): Promise<DescribedExecution> {
      await ready;
      const record = records.get(executionArn);
      if (!record) throw new Error(`no execution ${executionArn}`);
      if (record.status !== 'RUNNING') return describe(record);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.get(executionArn)?.delete(onSettled);
          reject(new Error(`execution ${executionArn} is still RUNNING after ${timeoutMs} ms`));
        }, timeoutMs);
        const onSettled = (settled: ExecutionRecord) => {
          clearTimeout(timer);
          resolve(describe(settled));
        };
        waiters.set(executionArn, (waiters.get(executionArn) ?? new Set()).add(onSettled));
      });
    },
  };
}

const invalidToken = () =>
  new AwsError('InvalidToken', 'Invalid Token: the nextToken does not belong to this request');

/** maxResults 0 or absent means the default page of 100; the maximum is 1000 (model). */
function pageRequest(input: Fields, scope: string) {
  const maxResults = input.integer('maxResults', 0, 1000) || 100;
  return { maxResults, nextToken: input.string('nextToken', { min: 1, max: 3096 }), scope };
}
