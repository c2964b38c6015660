import '../polyfills.js';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  executionDoesNotExist,
  SfnApiError,
  stateMachineDoesNotExist,
  validationError,
} from './api-errors.js';
import {
  checkExecutionArn,
  checkExecutionName,
  checkStateMachineArn,
  defaultExecutionName,
  expressExecutionArn,
  isExpressExecutionArn,
  standardExecutionArn,
} from './arns-and-names.js';
import { prepareDefinition } from './definition-preparation.js';
import { validateDefinition } from './definition-validation.js';
import { appendEvent, describe, type ExecutionRecord, isTerminal } from './execution-record.js';
import { ExecutionRun, type PreparedMachine } from './execution-run.js';
import { ExecutionStore } from './execution-store.js';
import { decodeToken, encodeToken } from './page-tokens.js';
import { type RequestBody, readBoolean, readPageSize, readString } from './request-fields.js';
import type { DescribedExecution, LocalStateMachine, LocalStepFunctionsOptions } from './types.js';
import { executionDescription, executionListItem, historyEvent, wireTime } from './wire-shapes.js';

const EXECUTION_STATUSES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
] as const;
const INCLUDED_DATA = ['ALL_DATA', 'METADATA_ONLY'] as const;
/** Express workflows run for at most five minutes (Step Functions quotas). */
const EXPRESS_MAX_SECONDS = 300;
/** Executions RUNNING when the previous process stopped cannot resume: the interpreter keeps no checkpoints. */
export const RESTART_ERROR = 'Local.RuntimeRestarted';
export const RESTART_CAUSE =
  'The local Step Functions runtime restarted while this execution was running; local executions do not survive a restart.';

interface Machine {
  machine: LocalStateMachine;
  standard: PreparedMachine;
  /** The same machine with the Express duration limit, for StartSyncExecution. */
  express: PreparedMachine;
  creationDate: number;
}

type HistoryCursor = { kind: 'history'; arn: string; reverse: boolean; next: number };
type ExecutionsCursor = {
  kind: 'executions';
  machine: string;
  status: string | null;
  startDate: number;
  arn: string;
};
type MachinesCursor = { kind: 'machines'; next: number };

/**
 * The Step Functions operations over the executions, independent of HTTP. Every operation takes
 * the request body as the SDK sends it and answers the response body.
 */
export class StepFunctionsService {
  readonly ready: Promise<void>;
  private readonly machines = new Map<string, Machine>();
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly runs = new Set<ExecutionRun>();
  private readonly runsByArn = new Map<string, ExecutionRun>();
  private readonly waiters = new Map<string, Set<(record: ExecutionRecord) => void>>();
  private readonly store: ExecutionStore;
  private readonly region: string;
  private readonly waitTimeScale: number;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.region = options.region ?? 'us-east-1';
    this.waitTimeScale = options.waitTimeScale ?? 1;
    if (!Number.isFinite(this.waitTimeScale) || this.waitTimeScale < 0) {
      throw new Error(`waitTimeScale must be a finite number >= 0, got ${this.waitTimeScale}`);
    }
    const accountId = options.accountId ?? '000000000000';
    const creationDate = Date.now();
    for (const machine of options.stateMachines) {
      const roleArn =
        machine.roleArn ?? `arn:aws:iam::${accountId}:role/service-role/StepFunctions-${machine.name}-role`;
      this.machines.set(machine.arn, {
        machine,
        standard: this.prepare(machine, roleArn),
        express: this.prepare(machine, roleArn, EXPRESS_MAX_SECONDS),
        creationDate,
      });
    }
    this.store = new ExecutionStore(options.dataDir);
    this.ready = this.load();
  }

  async startExecution(body: RequestBody): Promise<object> {
    const start = this.readStart(body);
    const { machine, name, input, traceHeader } = start;
    if (machine.machine.type === 'EXPRESS') {
      const record = this.newRecord(
        expressExecutionArn(machine.machine.arn, name),
        machine,
        name,
        input,
        traceHeader,
      );
      this.run(machine.express, record, false);
      return { executionArn: record.executionArn, startDate: wireTime(record.startDate) };
    }
    const executionArn = standardExecutionArn(machine.machine.arn, name);
    const existing = this.records.get(executionArn);
    if (existing) {
      // Idempotent only while the first one runs with the same input (StartExecution API reference).
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: wireTime(existing.startDate) };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record = this.newRecord(executionArn, machine, name, input, traceHeader);
    this.records.set(executionArn, record);
    this.run(machine.standard, record, true);
    return { executionArn, startDate: wireTime(record.startDate) };
  }

  async startSyncExecution(body: RequestBody): Promise<object> {
    const { machine, name, input, traceHeader } = this.readStart(body);
    const withData = readString(body, 'includedData', { allowed: INCLUDED_DATA }) !== 'METADATA_ONLY';
    if (machine.machine.type !== 'EXPRESS') {
      throw new SfnApiError(
        'StateMachineTypeNotSupported',
        'This operation is not supported by this type of state machine: StartSyncExecution needs an EXPRESS state machine',
      );
    }
    const record = this.newRecord(
      expressExecutionArn(machine.machine.arn, name),
      machine,
      name,
      input,
      traceHeader,
    );
    await this.run(machine.express, record, false).done;
    const billedMs = Math.max(
      100,
      Math.ceil(((record.stopDate ?? Date.now()) - record.startDate) / 100) * 100,
    );
    return {
      ...executionDescription(record, withData),
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billedMs },
    };
  }

  async describeExecution(body: RequestBody): Promise<object> {
    const record = this.findExecution(body);
    const withData = readString(body, 'includedData', { allowed: INCLUDED_DATA }) !== 'METADATA_ONLY';
    return executionDescription(record, withData);
  }

  async stopExecution(body: RequestBody): Promise<object> {
    const record = this.findExecution(body);
    const error = readString(body, 'error', { max: 256 });
    const cause = readString(body, 'cause', { max: 32768 });
    await this.runsByArn.get(record.executionArn)?.stop(error, cause);
    return { stopDate: wireTime(record.stopDate ?? Date.now()) };
  }

  async listExecutions(body: RequestBody): Promise<object> {
    if (readString(body, 'mapRunArn', { min: 1, max: 2000 }) !== undefined) {
      throw new SfnApiError('ResourceNotFound', 'The local runtime has no Distributed Map runs');
    }
    const machineArn = readString(body, 'stateMachineArn', { min: 1, max: 256 });
    if (machineArn === undefined) throw validationError('Must provide a StateMachine ARN or MapRun ARN');
    const status = readString(body, 'statusFilter', { allowed: EXECUTION_STATUSES }) ?? null;
    const redrive = readString(body, 'redriveFilter', { allowed: ['REDRIVEN', 'NOT_REDRIVEN'] });
    const pageSize = readPageSize(body);
    const token = readString(body, 'nextToken', { min: 1, max: 3096 });
    const machine = this.findMachine(machineArn);
    if (machine.machine.type === 'EXPRESS') {
      throw new SfnApiError(
        'StateMachineTypeNotSupported',
        'This operation is not supported by EXPRESS state machines',
      );
    }
    const cursor =
      token === undefined
        ? undefined
        : decodeToken<ExecutionsCursor>(
            token,
            (c) => c.kind === 'executions' && c.machine === machineArn && c.status === status,
          );
    // Newest first, as the console and the API list them; ties broken by ARN for a stable order.
    const sorted = [...this.records.values()]
      .filter((r) => r.stateMachineArn === machineArn && (status === null || r.status === status))
      .filter(() => redrive !== 'REDRIVEN')
      .sort(newestFirst);
    const rest = cursor ? sorted.filter((r) => newestFirst(r, cursorRecord(cursor)) > 0) : sorted;
    const page = rest.slice(0, pageSize);
    const last = page.at(-1);
    return {
      executions: page.map(executionListItem),
      ...(rest.length > pageSize &&
        last && {
          nextToken: encodeToken({
            kind: 'executions',
            machine: machineArn,
            status,
            startDate: last.startDate,
            arn: last.executionArn,
          } satisfies ExecutionsCursor),
        }),
    };
  }

  async getExecutionHistory(body: RequestBody): Promise<object> {
    const record = this.findExecution(body);
    const pageSize = readPageSize(body);
    const reverse = readBoolean(body, 'reverseOrder') ?? false;
    const withData = readBoolean(body, 'includeExecutionData') ?? true;
    const token = readString(body, 'nextToken', { min: 1, max: 1024 });
    const start =
      token === undefined
        ? 0
        : decodeToken<HistoryCursor>(
            token,
            (c) => c.kind === 'history' && c.arn === record.executionArn && c.reverse === reverse,
          ).next;
    const ordered = reverse ? [...record.events].reverse() : record.events;
    const page = ordered.slice(start, start + pageSize);
    const next = start + page.length;
    return {
      events: page.map((event) => historyEvent(event, withData)),
      ...(next < ordered.length && {
        nextToken: encodeToken({
          kind: 'history',
          arn: record.executionArn,
          reverse,
          next,
        } satisfies HistoryCursor),
      }),
    };
  }

  async describeStateMachine(body: RequestBody): Promise<object> {
    const arn = readString(body, 'stateMachineArn', { required: true, min: 1, max: 256 });
    const { machine, standard, creationDate } = this.findMachine(arn);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: JSON.stringify(machine.definition),
      roleArn: standard.roleArn,
      type: machine.type,
      creationDate: wireTime(creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  async listStateMachines(body: RequestBody): Promise<object> {
    const pageSize = readPageSize(body);
    const token = readString(body, 'nextToken', { min: 1, max: 1024 });
    const start =
      token === undefined ? 0 : decodeToken<MachinesCursor>(token, (c) => c.kind === 'machines').next;
    const all = [...this.machines.values()].sort((a, b) => a.machine.name.localeCompare(b.machine.name));
    const page = all.slice(start, start + pageSize);
    const next = start + page.length;
    return {
      stateMachines: page.map(({ machine, creationDate }) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: machine.type,
        creationDate: wireTime(creationDate),
      })),
      ...(next < all.length && {
        nextToken: encodeToken({ kind: 'machines', next } satisfies MachinesCursor),
      }),
    };
  }

  async waitForExecution(executionArn: string, timeoutMs = 30_000): Promise<DescribedExecution> {
    await this.ready;
    const record = this.records.get(executionArn);
    if (!record) throw executionDoesNotExist(executionArn);
    if (isTerminal(record.status)) return describe(record);
    return new Promise((resolve, reject) => {
      const waiters = this.waiters.get(executionArn) ?? new Set();
      this.waiters.set(executionArn, waiters);
      const onSettled = (settled: ExecutionRecord): void => {
        clearTimeout(timer);
        resolve(describe(settled));
      };
      const timer = setTimeout(() => {
        waiters.delete(onSettled);
        reject(new Error(`execution ${executionArn} is still ${record.status} after ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(onSettled);
    });
  }

  /** Stops running executions in this process (they stay RUNNING on disk) and flushes writes. */
  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    for (const run of this.runs) run.detach();
    this.runs.clear();
    this.runsByArn.clear();
    await this.store.flush();
  }

  private prepare(
    machine: LocalStateMachine,
    roleArn: string,
    maxExecutionSeconds?: number,
  ): PreparedMachine {
    validateDefinition(machine.name, machine.definition);
    const prepared = prepareDefinition(machine.definition, {
      waitTimeScale: this.waitTimeScale,
      ...(maxExecutionSeconds !== undefined && { maxExecutionSeconds }),
    });
    const interpreter = new StateMachine(prepared.runnable as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    return { machine, roleArn, prepared, interpreter };
  }

  private async load(): Promise<void> {
    const now = Date.now();
    for (const record of await this.store.load(now)) {
      if (record.status === 'RUNNING') {
        record.status = 'ABORTED';
        record.stopDate = now;
        record.error = RESTART_ERROR;
        record.cause = RESTART_CAUSE;
        appendEvent(
          record,
          'ExecutionAborted',
          { key: 'executionAbortedEventDetails', value: { error: RESTART_ERROR, cause: RESTART_CAUSE } },
          now,
        );
        this.store.save(record);
        this.options.onExecutionEnd?.(describe(record));
      }
      this.records.set(record.executionArn, record);
    }
  }

  private readStart(body: RequestBody): {
    machine: Machine;
    name: string;
    input: string;
    traceHeader: string | undefined;
  } {
    const arn = readString(body, 'stateMachineArn', { required: true, min: 1, max: 256 });
    const name = readString(body, 'name') ?? defaultExecutionName();
    checkExecutionName(name);
    const input = readString(body, 'input', { max: 262144 }) ?? '{}';
    try {
      JSON.parse(input);
    } catch (error) {
      throw new SfnApiError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${error instanceof Error ? error.message : String(error)}'`,
      );
    }
    const traceHeader = readString(body, 'traceHeader', { max: 256 });
    return { machine: this.findMachine(arn), name, input, traceHeader };
  }

  private findMachine(arn: string): Machine {
    checkStateMachineArn(arn);
    const machine = this.machines.get(arn);
    if (!machine) throw stateMachineDoesNotExist(arn);
    return machine;
  }

  private findExecution(body: RequestBody): ExecutionRecord {
    const arn = readString(body, 'executionArn', { required: true, min: 1, max: 256 });
    checkExecutionArn(arn);
    // Express executions are not recorded: AWS answers their Describe/History/Stop calls with errors too.
    const record = isExpressExecutionArn(arn) ? undefined : this.records.get(arn);
    if (!record) throw executionDoesNotExist(arn);
    return record;
  }

  private newRecord(
    executionArn: string,
    machine: Machine,
    name: string,
    input: string,
    traceHeader: string | undefined,
  ): ExecutionRecord {
    return {
      executionArn,
      stateMachineArn: machine.machine.arn,
      name,
      status: 'RUNNING',
      startDate: Date.now(),
      input,
      ...(traceHeader !== undefined && { traceHeader }),
      events: [],
    };
  }

  private run(target: PreparedMachine, record: ExecutionRecord, persist: boolean): ExecutionRun {
    const run = new ExecutionRun(target, record, {
      invokeLambda: this.options.invokeLambda,
      ...(this.options.invokeServiceIntegration && {
        invokeServiceIntegration: this.options.invokeServiceIntegration,
      }),
      region: this.region,
      waitTimeScale: this.waitTimeScale,
      onChange: (changed) => {
        if (persist) this.store.save(changed);
      },
      onSettled: (settled) => {
        this.options.onExecutionEnd?.(describe(settled));
        this.runs.delete(run);
        this.runsByArn.delete(settled.executionArn);
        for (const waiter of this.waiters.get(settled.executionArn) ?? []) waiter(settled);
        this.waiters.delete(settled.executionArn);
      },
    });
    if (!isTerminal(record.status)) {
      this.runs.add(run);
      if (persist) this.runsByArn.set(record.executionArn, run);
    }
    return run;
  }
}

function newestFirst(a: Pick<ExecutionRecord, 'startDate' | 'executionArn'>, b: typeof a): number {
  return b.startDate - a.startDate || a.executionArn.localeCompare(b.executionArn);
}

function cursorRecord(cursor: ExecutionsCursor): Pick<ExecutionRecord, 'startDate' | 'executionArn'> {
  return { startDate: cursor.startDate, executionArn: cursor.arn };
}
