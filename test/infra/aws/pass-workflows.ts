/**
 * Stand-in lifecycle machines (one Pass state each) for tests of the stacks' own wiring: the API's
 * environment and grants, auth, the stateful resources. They log and trace like real machines, so
 * cdk-nag judges the stacks and not the stand-ins.
 */
import { Validations } from 'aws-cdk-lib';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  LogLevel,
  Pass,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { LifecycleAction } from '../../../core/stream.js';
import type { StreamWorkflowsProps } from '../../../infra/aws/stream-workflows.js';
import type { WorkflowMachines, WorkflowsFactory } from '../../../infra/aws/workflow-machines.js';

const ACTIONS: LifecycleAction[] = ['create', 'start', 'stop', 'delete', 'go-live', 'end-live'];

/** The props the stack handed to the factory, for assertions. */
export interface PassWorkflowsProbe {
  factory: WorkflowsFactory;
  received: StreamWorkflowsProps[];
}

export function passWorkflows(): PassWorkflowsProbe {
  const received: StreamWorkflowsProps[] = [];
  const factory: WorkflowsFactory = (scope, props): WorkflowMachines => {
    received.push(props);
    const root = new Construct(scope, 'Workflows');
    const machine = (name: string, type = StateMachineType.STANDARD) => {
      const sm = new StateMachine(root, name, {
        stateMachineType: type,
        definitionBody: DefinitionBody.fromChainable(new Pass(root, `${name}Pass`)),
        tracingEnabled: true,
        logs: { destination: new LogGroup(root, `${name}Logs`), level: LogLevel.ALL },
      });
      return sm;
    };
    const machines = Object.fromEntries(ACTIONS.map((a) => [a, machine(`Machine-${a}`)])) as Record<
      LifecycleAction,
      StateMachine
    >;
    const split = machine('Split', StateMachineType.EXPRESS);
    Validations.of(root).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Test stand-ins: log delivery and X-Ray actions of Step Functions only accept "*".',
    });
    return { machines, split };
  };
  return { factory, received };
}
