/**
 * Public contract of the local Step Functions endpoint (see README.md in this folder).
 */
import type { AwsApi } from '../aws-server/server.js';
import type { ExecutionRecord } from './execution-store.js';

/**
 * Runs a task Lambda in-process. `functionArn` is the function's ARN as the definition gives it;
 * `payload` is the event, already a plain JSON value. What it returns is JSON-serialised like a
 * Lambda response; a thrown error fails the task with the error's `name` as the Step Functions
 * error (Lambda's `errorType`).
 */
export type InvokeLambda = (functionArn: string, payload: unknown) => Promise<unknown>;

/**
 * A service integration this runtime runs itself, by its Task `Resource`
 * (`arn:aws:states:::mediaconvert:createJob.sync`): it gets the state's effective Parameters and
 * answers what the service's API would (for `.sync`, once the job has finished). A thrown error
 * fails the task with the error's `name` (e.g. `States.TaskFailed` for a job that ended in error).
 */
export type ServiceIntegration = (
  parameters: unknown,
  context: { executionArn: string; state: string },
) => Promise<unknown>;

export interface LocalStateMachine {
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  /** The Amazon States Language definition (JSONPath), as CDK renders it. */
  definition: object;
  roleArn?: string;
}

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

export type { ExecutionStatus } from './execution-store.js';

/** An execution as DescribeExecution shows it (dates as `Date`, like the SDK's output). */
export type DescribedExecution = Omit<ExecutionRecord, 'events' | 'startDate' | 'stopDate'> & {
  startDate: Date;
  stopDate?: Date;
};

export interface LocalStepFunctions {
  /** The Step Functions JSON protocol, to serve with `serveAws`. */
  api: AwsApi;
  /**
   * Waits for in-flight writes. Running executions stop running in this process but stay RUNNING
   * on disk: the next instance on the same dataDir marks them ABORTED, exactly as after a crash.
   */
  close(): Promise<void>;
  /** For tests: resolves when the execution reaches a terminal status. */
  waitForExecution(executionArn: string, timeoutMs?: number): Promise<DescribedExecution>;
}
