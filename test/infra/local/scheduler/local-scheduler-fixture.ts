import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CreateScheduleCommandInput, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  createLocalScheduler,
  type LocalScheduler,
  type LocalSchedulerOptions,
  type ScheduleInvocation,
  type StartExecution,
} from '../../../../infra/local/scheduler/index.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const START_MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:StartStream`;
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/scheduler-starts-streams`;

const dataDirs: string[] = [];

export async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'local-scheduler-'));
  dataDirs.push(dir);
  return dir;
}

export async function removeDataDirs(): Promise<void> {
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface StartedExecution {
  stateMachineArn: string;
  input: string;
  roleArn: string;
  at: number;
}

export interface RunningScheduler {
  scheduler: LocalScheduler;
  client: SchedulerClient;
  url: string;
  dataDir: string;
  /** What the scheduler asked Step Functions to start, in order. */
  started: StartedExecution[];
  invocations: ScheduleInvocation[];
  logs: string[];
  /** Resolves with the `index`-th (from 0) invocation matching `filter`, recorded or to come. */
  waitForInvocation(
    filter?: (i: ScheduleInvocation) => boolean,
    index?: number,
    timeoutMs?: number,
  ): Promise<ScheduleInvocation>;
  stop(): Promise<void>;
}

export interface FixtureOptions extends Partial<LocalSchedulerOptions> {
  /** Replaces the recording StartExecution's behaviour (it still records the call). */
  onStart?: StartExecution;
}

export async function startLocalScheduler(options: FixtureOptions = {}): Promise<RunningScheduler> {
  const dataDir = options.dataDir ?? (await newDataDir());
  const started: StartedExecution[] = [];
  const invocations: ScheduleInvocation[] = [];
  const logs: string[] = [];
  const now = options.now ?? Date.now;
  const scheduler = createLocalScheduler({
    region: REGION,
    accountId: ACCOUNT,
    log: (line) => logs.push(line),
    ...options,
    dataDir,
    startExecution: async (stateMachineArn, input, roleArn) => {
      started.push({ stateMachineArn, input, roleArn, at: now() });
      await options.onStart?.(stateMachineArn, input, roleArn);
    },
  });
  scheduler.fired.on('invocation', (invocation) => invocations.push(invocation));
  const { url } = await scheduler.listen(0);
  const client = new SchedulerClient({
    region: REGION,
    endpoint: url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    scheduler,
    client,
    url,
    dataDir,
    started,
    invocations,
    logs,
    async waitForInvocation(filter = () => true, index = 0, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = invocations.filter(filter)[index];
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no invocation #${index + 1} within ${timeoutMs} ms`);
        await sleep(10);
      }
    },
    async stop() {
      client.destroy();
      await scheduler.close();
    },
  };
}

/** `at(...)` for a UTC instant, to the second (the expression's resolution). */
export function atExpression(epochMs: number): string {
  return `at(${new Date(epochMs).toISOString().slice(0, 19)})`;
}

/** The next whole second at least `ms` from now: at() times have a one-second resolution. */
export function wholeSecondIn(ms: number, now = Date.now()): number {
  return Math.ceil((now + ms) / 1000) * 1000;
}

/** A one-time schedule starting the StartStream machine, as the API creates them. */
export function aSchedule(
  name: string,
  overrides: Partial<CreateScheduleCommandInput> = {},
): CreateScheduleCommandInput {
  return {
    Name: name,
    ScheduleExpression: atExpression(wholeSecondIn(3_600_000)),
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: START_MACHINE,
      RoleArn: ROLE,
      Input: JSON.stringify({ stream_id: name, action: 'start' }),
    },
    ...overrides,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
