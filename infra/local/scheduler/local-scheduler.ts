/**
 * The local EventBridge Scheduler: what the app calls (CreateScheduleGroup, and one-time `at()`
 * schedules with CreateSchedule and DeleteSchedule) over the Scheduler REST-JSON protocol, and the
 * schedules run on time by starting Step Functions executions, as the templated Step Functions
 * target does. Schedules persist in `<dataDir>/schedules.json`.
 *
 * Runs follow AWS: at the `at()` time in UTC; a failed StartExecution is retried per the target's
 * RetryPolicy (1 s, 2 s, 4 s... capped at a minute) while the event is younger than
 * MaximumEventAgeInSeconds, client faults (a validation error, an unknown machine) excepted; a
 * schedule with ActionAfterCompletion DELETE is deleted once it ran. A schedule whose time passed
 * while local mode was down runs at start, late, within its MaximumEventAgeInSeconds; older, it is
 * dropped. Its run is recorded before the target is called, so a crash never runs it twice.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AwsError } from '../aws-server/aws-error.js';
import { Fields } from '../aws-server/fields.js';
import { jsonReply, parseJson, type RouteRequest, route } from '../aws-server/protocols.js';
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
  /** The Scheduler REST-JSON API, to serve with `serveAws`. */
  api: AwsApi;
  /** Stops firing, cancels pending retries, waits for in-flight invocations and writes. */
  close(): Promise<void>;
}

interface Schedule {
  name: string;
  groupName: string;
  arn: string;
  expression: string;
  /** Epoch milliseconds of the `at()` time. */
  at: number;
  state: 'ENABLED' | 'DISABLED';
  actionAfterCompletion: 'NONE' | 'DELETE';
  target: {
    Arn: string;
    RoleArn: string;
    Input?: string;
    RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  };
  clientToken?: string;
  /** Set when it ran: a one-time schedule runs once. */
  lastScheduledTime?: number;
}

export const SCHEDULES_FILE = 'schedules.json';
const FORMAT_VERSION = 1;
const NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w.-]+$/;
/** Scheduler's defaults (Target.RetryPolicy): 185 attempts, 24 hours. */
const DEFAULT_RETRIES = 185;
const DEFAULT_MAX_AGE_SECONDS = 86_400;
/** Node timers overflow above 2^31-1 ms (~24.8 days): longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const invalid = (message: string) => new AwsError('ValidationException', message);
const key = (group: string, name: string) => `${group}/${name}`;

export function createLocalScheduler(options: LocalSchedulerOptions): LocalScheduler {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.log(line));
  const arn = (kind: string, name: string) =>
    `arn:aws:scheduler:${options.region ?? 'us-east-1'}:${options.accountId ?? '000000000000'}:${kind}/${name}`;
  const file = path.join(options.dataDir, SCHEDULES_FILE);
  /** Groups by name, with the ClientToken of the request that created each. */
  const groups = new Map<string, string | undefined>([['default', undefined]]);
  const schedules = new Map<string, Schedule>();
  const timers = new Map<string, NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  const pauses = new Set<() => void>();
  let closed = false;
  let writing: Promise<void> = Promise.resolve();

  mkdirSync(options.dataDir, { recursive: true });
  const saved = load(file);
  for (const group of saved?.groups ?? []) groups.set(group.name, group.clientToken);
  for (const schedule of saved?.schedules ?? [])
    schedules.set(key(schedule.groupName, schedule.name), schedule);

  // The whole state, atomically (temporary file + rename), in the order of the changes.
  const save = () => {
    const text = JSON.stringify({
      formatVersion: FORMAT_VERSION,
      groups: [...groups].map(([name, clientToken]) => ({ name, clientToken })),
      schedules: [...schedules.values()],
    });
    writing = writing.then(async () => {
      try {
        await writeFile(`${file}.tmp`, text, { mode: 0o600 });
        await rename(`${file}.tmp`, file);
      } catch (error) {
        log(`[scheduler] could not persist ${file}: ${String(error)}`);
      }
    });
    return writing;
  };

  const remove = (schedule: Schedule) => {
    const id = key(schedule.groupName, schedule.name);
    clearTimeout(timers.get(id));
    timers.delete(id);
    schedules.delete(id);
  };

  const arm = (schedule: Schedule) => {
    const id = key(schedule.groupName, schedule.name);
    clearTimeout(timers.get(id));
    if (closed || schedule.state === 'DISABLED' || schedule.lastScheduledTime !== undefined) return;
    const delay = Math.min(Math.max(schedule.at - now(), 0), MAX_TIMER_MS);
    timers.set(
      id,
      setTimeout(() => {
        timers.delete(id);
        if (schedules.get(id) !== schedule) return;
        if (schedule.at > now()) return arm(schedule); // a long wait, taken in steps
        schedule.lastScheduledTime = schedule.at;
        if (schedule.actionAfterCompletion === 'DELETE') remove(schedule);
        const run = save()
          .then(() => invoke(schedule))
          .finally(() => inFlight.delete(run));
        inFlight.add(run);
      }, delay),
    );
  };

  const invoke = async (schedule: Schedule) => {
    const policy = schedule.target.RetryPolicy ?? {};
    const maxAgeMs = (policy.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
    const what = `[scheduler] ${schedule.groupName}/${schedule.name}`;
    for (let attempt = 1; !closed; attempt++) {
      const late = now() - schedule.at;
      if (late > maxAgeMs)
        return log(`${what} dropped: ${late} ms late, older than its MaximumEventAgeInSeconds`);
      try {
        await options.startExecution(schedule.target.Arn, schedule.target.Input ?? '{}');
        return log(`${what} started ${schedule.target.Arn} (attempt ${attempt}, ${late} ms after its time)`);
      } catch (error) {
        const pause = Math.min(60_000, 1000 * 2 ** (attempt - 1));
        // Client faults fail the same way again (throttling excepted): not retried.
        const fault = (error as { $fault?: unknown }).$fault;
        const retryable = fault !== 'client' || /Throttl|TooManyRequests/.test((error as Error).name);
        const retry =
          retryable &&
          attempt <= (policy.MaximumRetryAttempts ?? DEFAULT_RETRIES) &&
          late + pause <= maxAgeMs;
        log(
          `${what} failed (attempt ${attempt}): ${String(error)}${retry ? `; retrying in ${pause} ms` : ''}`,
        );
        if (!retry) return;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            pauses.delete(done);
            resolve();
          };
          const timer = setTimeout(done, pause);
          pauses.add(done);
        });
      }
    }
  };

  const createSchedule = (request: RouteRequest) => {
    const body = new Fields(parseJson(request.body, invalid), invalid);
    const name = readName(request.params.Name);
    const groupName = body.string('GroupName', { pattern: NAME }) ?? 'default';
    const clientToken = body.string('ClientToken', { max: 64 });
    const expression = body.string('ScheduleExpression', { required: true, max: 256 });
    const at = AT.exec(expression)?.[1];
    if (!at)
      throw invalid(`Local mode runs one-time schedules only: at(yyyy-mm-ddThh:mm:ss), not ${expression}.`);
    if ((body.string('ScheduleExpressionTimezone') ?? 'UTC') !== 'UTC')
      throw invalid('Local mode runs at() schedules in UTC only.');
    body.object('FlexibleTimeWindow', true).string('Mode', { required: true, oneOf: ['OFF', 'FLEXIBLE'] });
    const target = body.object('Target', true);
    const targetArn = target.string('Arn', { required: true, pattern: STATE_MACHINE_ARN });
    const retry = target.object('RetryPolicy');
    const MaximumRetryAttempts = retry?.integer('MaximumRetryAttempts', 0, 185);
    const MaximumEventAgeInSeconds = retry?.integer('MaximumEventAgeInSeconds', 60, 86_400);
    const input = target.string('Input', { min: 1 });
    if (!groups.has(groupName))
      throw new AwsError('ResourceNotFoundException', `Schedule group ${groupName} does not exist.`, 404);
    const existing = schedules.get(key(groupName, name));
    if (existing) {
      // The SDK sends the same ClientToken when it retries a request: that is not a second create.
      if (clientToken !== undefined && existing.clientToken === clientToken)
        return jsonReply(200, { ScheduleArn: existing.arn });
      throw new AwsError(
        'ConflictException',
        `Schedule ${name} already exists in schedule group ${groupName}.`,
        409,
      );
    }
    const schedule: Schedule = {
      name,
      groupName,
      arn: arn('schedule', key(groupName, name)),
      expression,
      at: Date.parse(`${at}Z`),
      state: (body.string('State', { oneOf: ['ENABLED', 'DISABLED'] }) ?? 'ENABLED') as Schedule['state'],
      actionAfterCompletion: (body.string('ActionAfterCompletion', { oneOf: ['NONE', 'DELETE'] }) ??
        'NONE') as Schedule['actionAfterCompletion'],
      target: {
        Arn: targetArn,
        RoleArn: target.string('RoleArn', { required: true, min: 1, max: 1600 }),
        ...(input !== undefined && { Input: input }),
        ...(retry && { RetryPolicy: { MaximumRetryAttempts, MaximumEventAgeInSeconds } }),
      },
      ...(clientToken !== undefined && { clientToken }),
    };
    schedules.set(key(groupName, name), schedule);
    void save();
    arm(schedule);
    return jsonReply(200, { ScheduleArn: schedule.arn });
  };

  const api: AwsApi = {
    protocol: () => 'rest-json',
    handle: async (request) =>
      route(
        [
          {
            method: 'POST',
            path: '/schedule-groups/{Name}',
            handle(req) {
              const name = readName(req.params.Name);
              const clientToken = new Fields(parseJson(req.body, invalid), invalid).string('ClientToken');
              if (groups.has(name) && (clientToken === undefined || groups.get(name) !== clientToken)) {
                throw new AwsError('ConflictException', `Schedule group ${name} already exists.`, 409);
              }
              groups.set(name, clientToken);
              void save();
              return jsonReply(200, { ScheduleGroupArn: arn('schedule-group', name) });
            },
          },
          { method: 'POST', path: '/schedules/{Name}', handle: createSchedule },
          {
            method: 'DELETE',
            path: '/schedules/{Name}',
            handle(req) {
              const name = readName(req.params.Name);
              const groupName = req.query.get('groupName') ?? 'default';
              const schedule = schedules.get(key(groupName, name));
              if (!schedule)
                throw new AwsError(
                  'ResourceNotFoundException',
                  `Schedule ${name} does not exist in schedule group ${groupName}.`,
                  404,
                );
              remove(schedule);
              void save();
              return jsonReply(200, {});
            },
          },
        ],
        request,
      ),
  };

  // Arms every schedule; one whose time passed while no scheduler ran fires now, late.
  for (const schedule of schedules.values()) arm(schedule);

  return {
    api,
    async close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      for (const done of [...pauses]) done();
      await Promise.all([...inFlight]);
      await writing;
    },
  };
}

function readName(value: string | undefined): string {
  if (value === undefined || !NAME.test(value)) throw invalid('Name must be 1 to 64 of [0-9a-zA-Z-_.].');
  return value;
}

/** The saved state, or none on first start. A corrupt file is an error, never silently reset. */
function load(
  file: string,
): { groups: Array<{ name: string; clientToken?: string }>; schedules: Schedule[] } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as {
    formatVersion?: number;
    groups?: unknown;
    schedules?: Array<Schedule & { at?: number }>;
  };
  if (
    parsed.formatVersion !== FORMAT_VERSION ||
    !Array.isArray(parsed.groups) ||
    !Array.isArray(parsed.schedules)
  ) {
    throw new Error(`${file} is not a schedules file this version can read; move it away to start empty`);
  }
  // Files of earlier versions hold only the expression.
  const schedules = parsed.schedules.map((s) => ({
    ...s,
    at: s.at ?? Date.parse(`${AT.exec(s.expression)?.[1]}Z`),
  }));
  return {
    groups: parsed.groups as Array<{ name: string; clientToken?: string }>,
    schedules: schedules.filter((s) => !Number.isNaN(s.at)),
  };
}
