/**
 * The app's own state machines for local mode and the workflow tests: the definitions the CDK app
 * deploys, rendered in-process (state-machines/workflows.ts), with each task Lambda at its local ARN.
 */

import { renderWorkflows, type WorkflowKey } from '../../state-machines/workflows.js';
import type { FunctionName } from '../functions.js';
import { localArn } from './aws-server/arn.js';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** The role the local ExportClip definition passes to MediaConvert (the local double ignores it). */
export const LOCAL_MEDIACONVERT_ROLE_ARN = localArn('iam', '', LOCAL_ACCOUNT, 'role/local-mediaconvert');

export interface LocalMachine {
  key: WorkflowKey;
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  definition: Record<string, unknown>;
}

export function localFunctionArn(name: FunctionName, region = LOCAL_REGION): string {
  return localArn('lambda', region, LOCAL_ACCOUNT, `function:${name}`);
}

export function localMachineArn(name: string, region = LOCAL_REGION): string {
  return localArn('states', region, LOCAL_ACCOUNT, `stateMachine:${name}`);
}

export function localMachines(region = LOCAL_REGION): LocalMachine[] {
  return renderWorkflows(
    (task) => localFunctionArn(task, region),
    { account: LOCAL_ACCOUNT, region },
    { mediaConvertRoleArn: LOCAL_MEDIACONVERT_ROLE_ARN },
  ).map((machine) => ({ ...machine, arn: localMachineArn(machine.name, region) }));
}
