/**
 * The seam between the stateless stack and the lifecycle state machines: the stack asks a factory
 * for the machines and wires their ARNs into the API. The app uses `StreamWorkflows`; tests of the
 * stack may hand in small stand-ins, so the API wiring is tested without the task Lambdas.
 */
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { LifecycleAction } from '../../core/stream.js';
import { type DeploymentBinding, StreamWorkflows, type StreamWorkflowsProps } from './stream-workflows.js';
import { acknowledgeWorkflowFindings } from './workflow-acknowledgments.js';

export interface WorkflowMachines {
  /** One Standard machine per lifecycle action: the API calls `StartExecution` on them. */
  readonly machines: Readonly<Record<LifecycleAction, IStateMachine>>;
  /** The Express split machine: the API calls `StartSyncExecution` on it. */
  readonly split: IStateMachine;
  /** The ExportClip machine (the API starts it for `POST .../exports`), when the workflows have one. */
  readonly exportMachine?: IStateMachine;
  /** The role MediaLive channels assume, when the workflows create one (for the stack outputs). */
  readonly mediaLiveRole?: IRole;
  /** The bus of "Stream Status Changed" events (the API publishes on it too). */
  readonly eventBus?: IEventBus;
  /** The schedule group and Scheduler's role (the API creates the start/stop schedules). */
  readonly schedules?: { groupName: string; role: IRole };
  /** The deployment's resources and values, as the function registry names them. */
  readonly binding?: DeploymentBinding;
}

export type WorkflowsFactory = (scope: Construct, props: StreamWorkflowsProps) => WorkflowMachines;

/** The real workflows: every lifecycle state machine and its task Lambdas, with their cdk-nag reasons. */
export const streamWorkflows: WorkflowsFactory = (scope, props) => {
  const workflows = new StreamWorkflows(scope, 'Workflows', props);
  acknowledgeWorkflowFindings(workflows, props);
  return workflows;
};
