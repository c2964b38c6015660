/**
 * Every state machine of the app: its definition (one file per action), its type and its time limit.
 * The CDK app deploys them (infra/aws/stream-workflows.ts); local mode and the tests render the very
 * same definitions in-process (`renderWorkflows`), without a synth.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { type IChainable, StateGraph } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EXPORT_WORKFLOW, SPLIT_WORKFLOW, WORKFLOWS } from '../core/workflows.js';
import { TASK_NAMES, type TaskName } from '../infra/functions.js';
import { createDefinition } from './create.js';
import { deleteDefinition } from './delete.js';
import { endLiveDefinition } from './end-live.js';
import { type ExportServices, exportDefinition } from './export.js';
import { goLiveDefinition } from './go-live.js';
import { splitDefinition } from './split.js';
import { startDefinition } from './start.js';
import { stopDefinition } from './stop.js';
import type { TaskFunctions } from './task-functions.js';

export interface WorkflowDefinition {
  /** The machine's name in the console (and, locally, in its ARN). */
  machineName: string;
  type: 'STANDARD' | 'EXPRESS';
  /** Whole-machine limit: the sum of the waits and retries with room, never unbounded. */
  timeout: Duration;
  build(scope: Construct, tasks: TaskFunctions, services: WorkflowServices): IChainable;
}

/** What some definitions name besides their task functions (the deployment's service roles). */
export type WorkflowServices = ExportServices;

export const WORKFLOW_DEFINITIONS = {
  create: {
    machineName: WORKFLOWS.create.machineName,
    type: 'STANDARD',
    timeout: Duration.minutes(30),
    build: createDefinition,
  },
  start: {
    machineName: WORKFLOWS.start.machineName,
    type: 'STANDARD',
    timeout: Duration.minutes(20),
    build: startDefinition,
  },
  stop: {
    machineName: WORKFLOWS.stop.machineName,
    type: 'STANDARD',
    timeout: Duration.minutes(10),
    build: stopDefinition,
  },
  delete: {
    machineName: WORKFLOWS.delete.machineName,
    type: 'STANDARD',
    timeout: Duration.minutes(30),
    build: deleteDefinition,
  },
  'go-live': {
    machineName: WORKFLOWS['go-live'].machineName,
    type: 'STANDARD',
    timeout: Duration.minutes(10),
    build: goLiveDefinition,
  },
  'end-live': {
    machineName: WORKFLOWS['end-live'].machineName,
    type: 'STANDARD',
    timeout: Duration.minutes(10),
    build: endLiveDefinition,
  },
  split: {
    machineName: SPLIT_WORKFLOW.machineName,
    type: 'EXPRESS',
    timeout: Duration.minutes(5),
    build: splitDefinition,
  },
  export: {
    machineName: EXPORT_WORKFLOW.machineName,
    type: 'STANDARD',
    // The job's own bound, plus its retries and the two record steps.
    timeout: Duration.hours(5),
    build: exportDefinition,
  },
} as const satisfies Record<string, WorkflowDefinition>;

export type WorkflowKey = keyof typeof WORKFLOW_DEFINITIONS;

export interface RenderedMachine {
  key: WorkflowKey;
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  /** The Amazon States Language definition, as the deployed machine has it. */
  definition: Record<string, unknown>;
}

/**
 * Renders every definition as the deployed machines have it, with the task Lambdas at
 * `functionArn(task)`: the states are built by the same code as in the CDK app and rendered by
 * their graph, as aws-cdk's own tests do, with no synth.
 */
export function renderWorkflows(
  functionArn: (task: TaskName) => string,
  env: { account: string; region: string },
  services: WorkflowServices,
): RenderedMachine[] {
  const stack = new Stack(new App(), 'RenderWorkflows', { env });
  const tasks = Object.fromEntries(
    TASK_NAMES.map((name) => [
      name,
      LambdaFunction.fromFunctionArn(stack, `Task-${name}`, functionArn(name)),
    ]),
  ) as Record<TaskName, ReturnType<typeof LambdaFunction.fromFunctionArn>>;
  return (Object.entries(WORKFLOW_DEFINITIONS) as Array<[WorkflowKey, WorkflowDefinition]>).map(
    ([key, workflow]) => {
      const scope = new Construct(stack, workflow.machineName);
      const graph = new StateGraph(workflow.build(scope, tasks, services).startState, workflow.machineName);
      graph.timeout = workflow.timeout;
      return {
        key,
        name: workflow.machineName,
        type: workflow.type,
        definition: withPartition(stack.resolve(graph.toGraphJson()), 'aws') as Record<string, unknown>,
      };
    },
  );
}

/**
 * Service integration ARNs (`arn:<partition>:states:::mediaconvert:createJob.sync`) come out of CDK
 * as `Fn::Join` over `AWS::Partition`, which only CloudFormation resolves; rendered without a
 * deployment, they are joined here with `partition`.
 */
function withPartition(value: unknown, partition: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withPartition(v, partition));
  if (!value || typeof value !== 'object') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join && Object.keys(value).length === 1) {
    const [separator, parts] = join;
    return parts
      .map((part) => {
        if (typeof part === 'string') return part;
        if ((part as { Ref?: string }).Ref === 'AWS::Partition') return partition;
        throw new Error(`cannot render ${JSON.stringify(part)} without a deployment`);
      })
      .join(separator);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withPartition(v, partition)]));
}
