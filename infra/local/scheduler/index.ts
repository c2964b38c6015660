/**
 * The local EventBridge Scheduler (see README.md in this folder): what the app calls, one-time
 * `at()` schedules over the Scheduler REST-JSON protocol, run on time by starting Step Functions
 * executions as the templated Step Functions target does, persisted in `<dataDir>/schedules.json`.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { localArn } from '../aws-server/arn.js';
import { AwsError, found } from '../aws-server/aws-error.js';
import { Fields } from '../aws-server/fields.js';
import { Pauses } from '../aws-server/pauses.js';
import { jsonReply, on, parseJson, type RouteRequest, route } from '../aws-server/protocols.js';
import type { AwsApi } from '../aws-server/server.js';

export interface LocalSchedulerOptions {
  /** `schedules.json` goes here (created if missing). */
  dataDir: string;
  /** Starts a Step Functions execution; a rejection is a failed attempt. */
  startExecution: (stateMachineArn: string, input: string) => Promise<void>;
  /** The clock, in epoch milliseconds. @default Date.now */
  now?: () => number;
  /** @default 'us-east-1' */
  region?: string;
  /** @default '000000000000' */
  accountId?: string;
  log?: (line: string) => void;
}

export interface LocalScheduler {
  api: AwsApi;
  /** Stops firing, cancels pending retries, waits for in-flight invocations and writes. */
  close(): Promise<void>;
}

interface Schedule {
  name: string;
  groupName: string;
  arn: string;
  /** `at(yyyy-mm-ddThh:mm:ss)`, in UTC. */
  expression: string;
  actionAfterCompletion: 'NONE' | 'DELETE';
  target: { Arn: string; RoleArn: string; Input?: string; RetryPolicy?: Record<string, number | undefined> };
  clientToken?: string;
  /** Set when it ran: a one-time schedule runs once. */
  lastScheduledTime?: number;
}

export const SCHEDULES_FILE = 'schedules.json';
const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const AT = /^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$/;
const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w.-]+$/;
/** Scheduler's defaults (Target.RetryPolicy): 185 attempts, 24 hours. */
const DEFAULT_RETRIES = 185;
const DEFAULT_MAX_AGE_SECONDS = 86_400;
/** Node timers overflow above 2^31-1 ms (~24.8 days): longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const invalid = (message: string) => new AwsError('ValidationException', message);
const notFound = (what: string) => new AwsError('ResourceNotFoundException', `${what} does not exist.`, 404);
const conflict = (what: string) => new AwsError('ConflictException', `${what} already exists.`, 409);
const timeOf = (schedule: Schedule) => Date.parse(`${AT.exec(schedule.expression)?.[1]}Z`);

export function createLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.log(line));
  const region = options.region ?? 'us-east-1';
  const arn = (kind: string, name: string) =>
    localArn('scheduler', region, options.accountId ?? '000000000000', `${kind}/${name}`);
  const file = path.join(options.dataDir, SCHEDULES_FILE);
  /** Groups by name, with the ClientToken of the request that created each. */
  const groups = new Map<string, string | undefined>([['default', undefined]]);
  const schedules = new Map<string, Schedule>();
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  const pauses = new Pauses();
  let closed = false;
  let writing: Promise<void> = Promise.resolve();

  mkdirSync(options.dataDir, { recursive: true });
  const saved = load(file);
  for (const group of saved?.groups ?? []) groups.set(group.name, group.clientToken);
  for (const schedule of saved?.schedules ?? [])
    schedules.set(`${schedule.groupName}/${schedule.name}`, schedule);

  // The whole state, atomically (temporary file + rename), in the order of the changes.
  const save = () => {
    const groupList = [...groups].map(([name, clientToken]) => ({ name, clientToken }));
    const text = JSON.stringify({ formatVersion: 1, groups: groupList, schedules: [...schedules.values()] });
    writing = writing.then(async () => {
      await writeFile(`${file}.tmp`, text, { mode: 0o600 });
      await rename(`${file}.tmp`, file);
    });
    writing = writing.catch((error) => log(`could not persist ${file}: ${String(error)}`));
    return writing;
  };

  const remove = (id: string) => {
    clearTimeout(timers.get(id));
    timers.delete(id);
    schedules.delete(id);
  };

  const arm = (id: string, schedule: Schedule) => {
    const at = timeOf(schedule);
    if (closed || schedule.lastScheduledTime !== undefined || Number.isNaN(at)) return;
    const fire = () => {
      if (schedules.get(id) !== schedule) return;
      if (at > now()) return arm(id, schedule); // a long wait, taken in steps
      schedule.lastScheduledTime = at;
      if (schedule.actionAfterCompletion === 'DELETE') remove(id);
      const run = save()
        .then(() => invoke(schedule, at))
        .finally(() => inFlight.delete(run));
      inFlight.add(run);
    };
    timers.set(id, setTimeout(fire, Math.min(Math.max(at - now(), 0), MAX_TIMER_MS)));
  };

  const invoke = async ({ groupName, name, target }: Schedule, at: number) => {
    const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
    const maxRetries = target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRIES;
    const what = `${groupName}/${name}`;
    for (let attempt = 1; !closed; attempt++) {
      const late = now() - at;
      if (late > maxAgeMs)
        return log(`${what} dropped: ${late} ms late, older than its MaximumEventAgeInSeconds`);
      try {
        await options.startExecution(target.Arn, target.Input ?? '{}');
        return log(`${what} started ${target.Arn} (attempt ${attempt}, ${late} ms after its time)`);
      } catch (error) {
        const pause = Math.min(60_000, 1000 * 2 ** (attempt - 1));
        // Client faults fail the same way again (throttling excepted): not retried.
        const clientFault = (error as { $fault?: unknown }).$fault === 'client';
        const retryable = !clientFault || /Throttl|TooManyRequests/.test((error as Error).name);
        const retry = retryable && attempt <= maxRetries && late + pause <= maxAgeMs;
        log(
          `${what} failed (attempt ${attempt}): ${String(error)}${retry ? `; retrying in ${pause} ms` : ''}`,
        );
        if (!retry) return;
        await pauses.wait(pause);
      }
    }
  };

  const createSchedule = (request: RouteRequest) => {
    const body = new Fields(parseJson(request.body, invalid), invalid);
    const name = readName(request.params.Name);
    const groupName = body.string('GroupName', { pattern: NAME }) ?? 'default';
    const clientToken = body.string('ClientToken', { max: 64 });
    const expression = body.string('ScheduleExpression', { required: true, max: 256 });
    if (!AT.test(expression))
      throw invalid(`Local mode runs one-time at(yyyy-mm-ddThh:mm:ss) schedules only, not ${expression}.`);
    // A date that is no date (month 13, hour 99) would never fire: refused, as AWS refuses it.
    const at = Date.parse(`${AT.exec(expression)?.[1]}Z`);
    if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 19) !== AT.exec(expression)?.[1])
      throw invalid(`${expression} is not a valid date and time.`);
    if ((body.string('ScheduleExpressionTimezone') ?? 'UTC') !== 'UTC')
      throw invalid('Local mode runs at() in UTC only.');
    body.object('FlexibleTimeWindow', true).string('Mode', { required: true, oneOf: ['OFF', 'FLEXIBLE'] });
    body.string('State', { oneOf: ['ENABLED'] }); // the app never creates a DISABLED schedule
    const target = body.object('Target', true);
    const retry = target.object('RetryPolicy');
    const input = target.string('Input', { min: 1 });
    const RetryPolicy = retry && {
      MaximumRetryAttempts: retry.integer('MaximumRetryAttempts', 0, 185),
      MaximumEventAgeInSeconds: retry.integer('MaximumEventAgeInSeconds', 60, 86_400),
    };
    if (!groups.has(groupName)) throw notFound(`Schedule group ${groupName}`);
    const id = `${groupName}/${name}`;
    const existing = schedules.get(id);
    // The SDK sends the same ClientToken when it retries a request: that is not a second create.
    if (existing && (clientToken === undefined || existing.clientToken !== clientToken)) {
      throw conflict(`Schedule ${name} in schedule group ${groupName}`);
    }
    const schedule: Schedule = existing ?? {
      name,
      groupName,
      arn: arn('schedule', id),
      expression,
      actionAfterCompletion:
        body.string('ActionAfterCompletion', { oneOf: ['NONE', 'DELETE'] }) === 'DELETE' ? 'DELETE' : 'NONE',
      target: {
        Arn: target.string('Arn', { required: true, pattern: STATE_MACHINE_ARN }),
        RoleArn: target.string('RoleArn', { required: true, min: 1, max: 1600 }),
        ...(input !== undefined && { Input: input }),
        ...(RetryPolicy && { RetryPolicy }),
      },
      ...(clientToken !== undefined && { clientToken }),
    };
    if (!existing) {
      schedules.set(id, schedule);
      void save();
      arm(id, schedule);
    }
    return jsonReply(200, { ScheduleArn: schedule.arn });
  };

  const createGroup = (req: RouteRequest) => {
    const name = readName(req.params.Name);
    const clientToken = new Fields(parseJson(req.body, invalid), invalid).string('ClientToken');
    if (groups.has(name) && (clientToken === undefined || groups.get(name) !== clientToken)) {
      throw conflict(`Schedule group ${name}`);
    }
    groups.set(name, clientToken);
    void save();
    return jsonReply(200, { ScheduleGroupArn: arn('schedule-group', name) });
  };
  const idOf = (req: RouteRequest) =>
    `${req.query.get('groupName') ?? 'default'}/${readName(req.params.Name)}`;
  // What a schedule is now (`aws scheduler get-schedule`, and the tests' checks).
  const getSchedule = (req: RouteRequest) => {
    const schedule = found(schedules.get(idOf(req)), () => notFound(`Schedule ${idOf(req)}`));
    return jsonReply(200, {
      Arn: schedule.arn,
      Name: schedule.name,
      GroupName: schedule.groupName,
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      ActionAfterCompletion: schedule.actionAfterCompletion,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: schedule.target,
    });
  };
  const deleteSchedule = (req: RouteRequest) => {
    const id = idOf(req);
    if (!schedules.has(id)) throw notFound(`Schedule ${id}`);
    remove(id);
    void save();
    return jsonReply(200, {});
  };
  const routes = [
    on('POST', '/schedule-groups/{Name}', createGroup),
    on('POST', '/schedules/{Name}', createSchedule),
    on('GET', '/schedules/{Name}', getSchedule),
    on('DELETE', '/schedules/{Name}', deleteSchedule),
  ];

  // Arms every schedule; one whose time passed while no scheduler ran fires now, late.
  for (const [id, schedule] of schedules) arm(id, schedule);

  return {
    api: { protocol: () => 'rest-json', handle: (request) => route(routes, request) },
    async close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      pauses.cancelAll();
      await Promise.all(inFlight);
      await writing;
    },
  };
}

function readName(value: string | undefined): string {
  if (!NAME.test(value ?? '')) throw invalid('Name must be 1 to 64 of [0-9a-zA-Z-_.].');
  return value as string;
}

type Saved = {
  formatVersion: 1;
  groups: Array<{ name: string; clientToken?: string }>;
  schedules: Schedule[];
};

/** The saved state, or none on first start. A corrupt file is an error, never silently reset. */
function load(file: string): Saved | undefined {
  if (!existsSync(file)) return undefined;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<Saved>;
  if (saved.formatVersion !== 1 || !Array.isArray(saved.groups) || !Array.isArray(saved.schedules)) {
    throw new Error(`${file} is not a schedules file this version can read; move it away to start empty`);
  }
  // Earlier versions also kept DISABLED schedules, which never fire: they are not armed now either.
  const schedules = saved.schedules.filter((s) => (s as { state?: string }).state !== 'DISABLED');
  return { ...(saved as Saved), schedules };
}
