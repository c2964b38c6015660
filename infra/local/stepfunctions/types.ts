/**
 * Public contract of the local Step Functions endpoint (see README.md in this folder).
 */

/**
 * Runs a task Lambda in-process. `functionArn` is the function's ARN (or name, exactly as the
 * definition gives it); `payload` is the event, already a plain JSON value. Whatever it returns is
 * JSON-serialised like a Lambda response. A thrown error fails the task with the error's `name` as
 * the Step Functions error (Lambda's `errorType`).
 */
export type InvokeLambda = (functionArn: string, payload: unknown) => Promise<unknown>;

/**
 * Runs a non-Lambda service integration (`arn:aws:states:::events:putEvents`,
 * `arn:aws:states:::aws-sdk:medialive:describeChannel`, ...). `parameters` are the task's
 * resolved Parameters. A thrown error fails the task with the error's `name` as the Step Functions
 * error and its `message` as the cause (as AWS does for `MediaLive.ConflictException` and the like).
 */
export type InvokeServiceIntegration = (resource: string, parameters: unknown) => Promise<unknown>;

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
  /** Service integrations other than Lambda; without it such tasks fail with `States.Runtime`. */
  invokeServiceIntegration?: InvokeServiceIntegration;
  /** @default 'us-east-1' */
  region?: string;
  /** @default '000000000000' */
  accountId?: string;
  /** Scales every Wait state (e.g. 0.01 in tests and benchmarks); default 1. Retry intervals too. */
  waitTimeScale?: number;
  /**
   * Every execution that ends, as Step Functions sends "Step Functions Execution Status Change" to
   * EventBridge: each one that ends in this process, and at start-up each one a previous process
   * left running (marked ABORTED).
   */
  onExecutionEnd?: (execution: DescribedExecution) => void;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** An execution as DescribeExecution shows it (dates as `Date`, like the SDK's output). */
export interface DescribedExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface LocalStepFunctions {
  /** Serves the Step Functions JSON protocol; `host` defaults to 127.0.0.1. */
  listen(port: number, host?: string): Promise<{ url: string }>;
  /**
   * Stops serving and waits for in-flight writes. Running executions stop running in this process
   * but stay RUNNING on disk: the next instance on the same dataDir marks them ABORTED, exactly as
   * after a crash.
   */
  close(): Promise<void>;
  /** For tests: resolves when the execution reaches a terminal status. */
  waitForExecution(executionArn: string, timeoutMs?: number): Promise<DescribedExecution>;
}
