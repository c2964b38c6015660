/**
 * Every state machine of the app: its definition (one file per action), its type and its time limit.
 * The CDK app deploys them (infra/aws/stream-workflows.ts); local mode and the tests render the very
 * same definitions in-process (`renderWorkflows`), without a synth.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { type IChainable, StateGraph } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SPLIT_WORKFLOW, WORKFLOWS } from '../core/workflows.js';
import { TASK_NAMES, type TaskName } from '../infra/functions.js';
import { createDefinition } from './create.js';
import { deleteDefinition } from './delete.js';
import { endLiveDefinition } from './end-live.js';
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
  build(scope: Construct, tasks: TaskFunctions): IChainable;
}

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
      const graph = new StateGraph(workflow.build(scope, tasks).startState, workflow.machineName);
      graph.timeout = workflow.timeout;
      return {
        key,
        name: workflow.machineName,
        type: workflow.type,
        definition: stack.resolve(graph.toGraphJson()) as Record<string, unknown>,
      };
    },
  );
}
