import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { newCredentials } from '../../../../infra/local/aws-server/credentials.js';
import { serveAws } from '../../../../infra/local/aws-server/server.js';
import {
  createLocalStepFunctions,
  type InvokeLambda,
  type LocalStateMachine,
  type LocalStepFunctions,
  type LocalStepFunctionsOptions,
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

export const CREDENTIALS = newCredentials();

export function sfnClient(url: string): SFNClient {
  // StartSyncExecution carries the model's `sync-` host prefix, which would turn 127.0.0.1 into a
  // name that does not resolve: clients of a local endpoint keep the host as given.
  return new SFNClient({
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    endpoint: url,
    disableHostPrefix: true,
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
  const served = await serveAws(sfn.api, { port: 0, credentials: CREDENTIALS });
  const client = sfnClient(served.url);
  return {
    sfn,
    client,
    url: served.url,
    dataDir,
    async stop() {
      client.destroy();
      await served.close();
      await sfn.close();
    },
  };
}
