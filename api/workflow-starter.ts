/**
 * Starts the lifecycle state machines. The only component of the API that talks to Step Functions.
 */
import { type SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import type { LifecycleAction } from '../core/stream.js';
import type { WorkflowInput } from '../core/workflows.js';

export interface SyncResult {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | string;
  output?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
}

export interface WorkflowStarter {
  /** The ARN the execution will have: known before starting it, so the record can name it first. */
  executionArn(action: LifecycleAction, name: string): string;
  start(action: LifecycleAction, name: string, input: WorkflowInput): Promise<void>;
  runSplit(name: string, input: unknown): Promise<SyncResult>;
}

export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export class SfnWorkflowStarter implements WorkflowStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly machines: Readonly<Record<LifecycleAction, string>>,
    private readonly splitMachine: string,
  ) {}

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
