import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  createLocalStepFunctions,
  type InvokeLambda,
  type LocalStateMachine,
  type LocalStepFunctions,
  type LocalStepFunctionsOptions,
  localSfnClientConfig,
} from '../../../../infra/local/stepfunctions/index.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export const machineArn = (name: string): string =>
  `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
export const functionArn = (name: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

/** A machine from a definition; STANDARD unless said otherwise. */
export function aMachine(
  name: string,
  definition: object,
  type: LocalStateMachine['type'] = 'STANDARD',
): LocalStateMachine {
  return { name, arn: machineArn(name), type, definition };
}

/** A Task state as CDK's LambdaInvoke renders it by default (payloadResponseOnly false). */
export function lambdaInvokeTask(fn: string, rest: Record<string, unknown>): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: functionArn(fn), 'Payload.$': '$' },
    ...rest,
  };
}

export interface RunningLocalSfn {
  sfn: LocalStepFunctions;
  client: SFNClient;
  url: string;
  dataDir: string;
  /** Closes server and client; keeps the data directory (for restart tests). */
  stop(): Promise<void>;
}

export interface FixtureOptions extends Partial<Omit<LocalStepFunctionsOptions, 'stateMachines'>> {
  stateMachines: LocalStateMachine[];
}

const dataDirs: string[] = [];

export async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'local-sfn-'));
  dataDirs.push(dir);
  return dir;
}

export async function removeDataDirs(): Promise<void> {
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

const noLambda: InvokeLambda = async (arn) => {
  throw new Error(`no Lambda expected, got a call to ${arn}`);
};

export function sfnClient(url: string): SFNClient {
  return new SFNClient({
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    ...localSfnClientConfig(url),
  });
}

/** Starts the endpoint on a free port with an SDK client pointed at it. */
export async function startLocalSfn(options: FixtureOptions): Promise<RunningLocalSfn> {
  const dataDir = options.dataDir ?? (await newDataDir());
  const sfn = createLocalStepFunctions({
    invokeLambda: noLambda,
    region: REGION,
    accountId: ACCOUNT,
    ...options,
    dataDir,
  });
  const { url } = await sfn.listen(0);
  const client = sfnClient(url);
  return {
    sfn,
    client,
    url,
    dataDir,
    async stop() {
      client.destroy();
      await sfn.close();
    },
  };
}
