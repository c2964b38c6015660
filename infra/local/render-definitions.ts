/**
 * Renders the app's own state machine definitions for local mode and workflow tests: synthesizes
 * the StreamWorkflows construct (bundling skipped), resolves the intrinsic functions in each
 * DefinitionString, and maps every task Lambda's ARN to its module in tasks/. Nothing is
 * re-implemented: change a machine and local mode runs the change.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { SPLIT_WORKFLOW, WORKFLOWS } from '../../core/workflows.js';
import { StreamWorkflows } from '../../state-machines/stream-workflows.js';
import { TASK_METADATA_KEY } from '../../state-machines/task-function.js';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  type RenderedMachine,
  type RenderedWorkflows,
  type RenderOptions,
} from './definitions.js';

type Template = {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
};

export function renderWorkflows(options: RenderOptions): RenderedWorkflows {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'LocalWorkflows', { env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION } });
  new StreamWorkflows(stack, 'Workflows', {
    table: Table.fromTableName(stack, 'Table', options.tableName),
    archiveBucket: Bucket.fromBucketName(stack, 'Archive', options.archiveBucket),
    inputSecurityGroupId: options.inputSecurityGroupId,
    ...(options.liveDistribution ? { liveDistribution: options.liveDistribution } : {}),
  });
  const template = app.synth().getStackByName(stack.stackName).template as Template;

  const functionArns = new Map<string, string>();
  const tasks = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const task = resource.Metadata?.[TASK_METADATA_KEY];
    if (typeof task !== 'string') continue;
    const arn = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${task}`;
    functionArns.set(logicalId, arn);
    tasks.set(arn, task);
  }
  const names = new Set([...Object.values(WORKFLOWS).map((w) => w.machineName), SPLIT_WORKFLOW.machineName]);
  const machines: RenderedMachine[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const name = [...names].find((n) => logicalId.includes(n));
    if (!name) continue;
    const definition = JSON.parse(resolve(resource.Properties?.DefinitionString, functionArns)) as Record<
      string,
      unknown
    >;
    machines.push({
      name,
      arn: `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`,
      type: resource.Properties?.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
      definition,
    });
  }
  return { machines, tasks };
}

function resolve(value: unknown, functionArns: Map<string, string>): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolve(p, functionArns)).join(sep);
    }
    if ('Fn::GetAtt' in v) {
      const [logicalId] = v['Fn::GetAtt'] as [string, string];
      const arn = functionArns.get(logicalId);
      if (!arn) throw new Error(`cannot resolve Fn::GetAtt ${logicalId} in a state machine definition`);
      return arn;
    }
    if ('Ref' in v) {
      const ref = v.Ref as string;
      if (ref === 'AWS::Region') return LOCAL_REGION;
      if (ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} in a state machine definition`);
}
