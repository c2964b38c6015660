/**
 * Starts the lifecycle state machines. The only component of the API that talks to Step Functions.
 */
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { LifecycleAction } from '../core/stream.js';
import type { WorkflowInput } from '../core/workflows.js';

export interface SyncResult {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | string;
  output?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
}

/** One state of an execution as the console shows it: the Step Functions history, condensed. */
export interface ExecutionStep {
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  entered_at: string;
  exited_at: string | null;
}

export interface ExecutionReport {
  status: string;
  stopped_at: string | null;
  error: string | null;
  cause: string | null;
  steps: ExecutionStep[];
}

/** The steps of an execution from its history events: each state entered, and whether it exited. */
export function stepsOf(events: HistoryEvent[], executionStatus: string): ExecutionStep[] {
  const steps: ExecutionStep[] = [];
  for (const event of events) {
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;
    const at = event.timestamp ? new Date(event.timestamp).toISOString() : '';
    if (entered?.name) steps.push({ name: entered.name, status: 'RUNNING', entered_at: at, exited_at: null });
    if (exited?.name) {
      const step = [...steps].reverse().find((s) => s.name === exited.name && s.exited_at === null);
      if (step) Object.assign(step, { status: 'SUCCEEDED', exited_at: at });
    }
  }
  const last = steps[steps.length - 1];
  if (last && last.exited_at === null && executionStatus !== 'RUNNING') last.status = 'FAILED';
  return steps;
}

export interface WorkflowStarter {
  /** Status and steps of an execution (DescribeExecution + GetExecutionHistory). */
  report(executionArn: string): Promise<ExecutionReport>;
  /** Whether an execution still runs (DescribeExecution); false for one Step Functions does not know. */
  isRunning(executionArn: string): Promise<boolean>;
  /** The ARN the execution will have: known before starting it, so the record can name it first. */
  executionArn(action: LifecycleAction, name: string): string;
  start(action: LifecycleAction, name: string, input: WorkflowInput): Promise<void>;
  runSplit(name: string, input: unknown): Promise<SyncResult>;
  /** The ARN the ExportClip execution `name` will have; undefined without an export machine. */
  exportExecutionArn(name: string): string | undefined;
  /** Starts an ExportClip execution (Standard: a MediaConvert job takes minutes). */
  startExport(name: string, input: unknown): Promise<void>;
}

export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly machines: Readonly<Record<LifecycleAction, string>>,
    private readonly splitMachine: string,
    /** The ExportClip machine; undefined where the deployment has none. */
    private readonly exportMachine?: string | undefined,
  ) {}

  exportExecutionArn(name: string): string | undefined {
    return this.exportMachine ? executionArnOf(this.exportMachine, name) : undefined;
  }

  async startExport(name: string, input: unknown): Promise<void> {
    if (!this.exportMachine) throw new Error('this deployment has no ExportClip state machine');
    await this.sfn.send(
      new StartExecutionCommand({ stateMachineArn: this.exportMachine, name, input: JSON.stringify(input) }),
    );
  }

  executionArn(action: LifecycleAction, name: string): string {
    return executionArnOf(this.machines[action], name);
  }

  async start(action: LifecycleAction, name: string, input: WorkflowInput): Promise<void> {
    await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.machines[action],
        name,
        input: JSON.stringify(input),
      }),
    );
  }

  async isRunning(executionArn: string): Promise<boolean> {
    try {
      const described = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described?.status === 'RUNNING';
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return false;
      throw error;
    }
  }

  async report(executionArn: string): Promise<ExecutionReport> {
    const [described, history] = await Promise.all([
      this.sfn.send(new DescribeExecutionCommand({ executionArn })),
      // A lifecycle execution has well under 200 events a page; the console shows the first page.
      this.sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 200, includeExecutionData: false }),
      ),
    ]);
    const status = described?.status ?? 'UNKNOWN';
    return {
      status,
      stopped_at: described?.stopDate ? new Date(described.stopDate).toISOString() : null,
      error: described?.error ?? null,
      cause: described?.cause ?? null,
      steps: stepsOf(history?.events ?? [], status),
    };
  }

  async runSplit(name: string, input: unknown): Promise<SyncResult> {
    const out = await this.sfn.send(
      new StartSyncExecutionCommand({
        stateMachineArn: this.splitMachine,
        name,
        input: JSON.stringify(input),
      }),
    );
    return { status: out.status ?? 'FAILED', output: out.output, error: out.error, cause: out.cause };
  }
}
