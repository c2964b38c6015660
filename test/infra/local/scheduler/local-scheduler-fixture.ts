import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CreateScheduleCommandInput, SchedulerClient } from '@aws-sdk/client-scheduler';
import { newCredentials } from '../../../../infra/local/aws-server/credentials.js';
import { serveAws } from '../../../../infra/local/aws-server/server.js';
import {
  createLocalScheduler,
  type LocalScheduler,
  type LocalSchedulerOptions,
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

const running = new Set<RunningScheduler>();

/** Stops every scheduler still running and removes the data directories (after each test). */
export async function stopAll(): Promise<void> {
  for (const instance of [...running]) await instance.stop();
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface StartedExecution {
  stateMachineArn: string;
  input: string;
  at: number;
}

export interface RunningScheduler {
  scheduler: LocalScheduler;
  client: SchedulerClient;
  dataDir: string;
  /** What the scheduler asked Step Functions to start, in order (failed attempts included). */
  started: StartedExecution[];
  logs: string[];
  /** Resolves once `condition` holds. */
  waitFor(condition: () => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface FixtureOptions extends Partial<LocalSchedulerOptions> {
  /** Replaces the recording StartExecution's behaviour (it still records the call). */
  onStart?: LocalSchedulerOptions['startExecution'];
}

export async function startLocalScheduler(options: FixtureOptions = {}): Promise<RunningScheduler> {
  const dataDir = options.dataDir ?? (await newDataDir());
  const started: StartedExecution[] = [];
  const logs: string[] = [];
  const now = options.now ?? Date.now;
  const scheduler = createLocalScheduler({
    region: REGION,
    accountId: ACCOUNT,
    log: (line) => logs.push(line),
    ...options,
    dataDir,
    startExecution: async (stateMachineArn, input) => {
      started.push({ stateMachineArn, input, at: now() });
      await options.onStart?.(stateMachineArn, input);
    },
  });
  const credentials = newCredentials();
  const served = await serveAws(scheduler.api, { port: 0, credentials });
  const client = new SchedulerClient({ region: REGION, endpoint: served.url, credentials, maxAttempts: 1 });
  const instance: RunningScheduler = {
    scheduler,
    client,
    dataDir,
    started,
    logs,
    async waitFor(condition, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms; log: ${logs.join(' | ')}`);
        await sleep(10);
      }
    },
    async stop() {
      running.delete(instance);
      client.destroy();
      await served.close();
      await scheduler.close();
    },
  };
  running.add(instance);
  return instance;
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
    ScheduleExpressionTimezone: 'UTC',
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
