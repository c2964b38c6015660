/**
 * The Scheduler operations over the local state, and the timers that run schedules: one timer per
 * schedule, set for its next run and set again whenever the schedule changes.
 */
import { conflict, groupNotFound, scheduleNotFound, validationError } from './api-errors.js';
import { nextRun } from './next-run.js';
import {
  NAME_PATTERN,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalTimestamp,
  type RequestBody,
  readClientToken,
  readGroupName,
  readMaxResults,
  readName,
  readRoleArn,
  requiredObject,
  requiredString,
} from './request-fields.js';
import { assertTimezone, parseScheduleExpression } from './schedule-expression.js';
import {
  type FlexibleTimeWindow,
  type GroupRecord,
  groupOutput,
  type ScheduleRecord,
  scheduleOutput,
  scheduleSummary,
  type Target,
} from './schedule-record.js';
import { ScheduleStore } from './schedule-store.js';
import { TargetInvoker } from './target-invoker.js';
import type { LocalSchedulerOptions } from './types.js';

export const DEFAULT_GROUP = 'default';
/** Node timers overflow above 2^31-1 ms (~24.8 days): longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const DEFAULT_PAGE_SIZE = 100;

export interface ApiRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: RequestBody;
}

export class SchedulerService {
  readonly invoker: TargetInvoker;
  private readonly groups = new Map<string, GroupRecord>();
  private readonly schedules = new Map<string, ScheduleRecord>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly store: ScheduleStore;
  private readonly now: () => number;
  private readonly region: string;
  private readonly accountId: string;
  private readonly log: (line: string) => void;
  private running = false;

  constructor(options: LocalSchedulerOptions) {
    this.now = options.now ?? Date.now;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.log = options.log ?? ((line: string) => console.log(line));
    this.store = new ScheduleStore(options.dataDir, this.log);
    this.invoker = new TargetInvoker(options.startExecution, this.now, this.log);
    const saved = this.store.load();
    for (const group of saved?.groups ?? []) this.groups.set(group.name, group);
    for (const schedule of saved?.schedules ?? [])
      this.schedules.set(key(schedule.groupName, schedule.name), schedule);
    if (!this.groups.has(DEFAULT_GROUP)) {
      const at = this.now();
      this.groups.set(DEFAULT_GROUP, {
        name: DEFAULT_GROUP,
        arn: this.groupArn(DEFAULT_GROUP),
        creationDate: at,
        lastModificationDate: at,
        tags: [],
      });
      this.save();
    }
  }

  /**
   * Arms every schedule. A one-time schedule whose time passed while no scheduler ran fires now
   * (if within its target's MaximumEventAgeInSeconds), so a restart does not lose it.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const schedule of this.schedules.values()) {
      const run = nextRun(schedule, this.now());
      if (run.kind === 'never' && schedule.state === 'ENABLED') {
        this.log(`[scheduler] ${schedule.groupName}/${schedule.name}: ${run.reason}`);
      }
      this.arm(schedule);
    }
  }

  async close(): Promise<void> {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.invoker.close();
    await this.store.flush();
  }

  // ---- schedules

  createSchedule(request: ApiRequest): object {
    const name = readName(request.params.Name, 'name');
    const groupName = readGroupName(request.body.GroupName, 'groupName') ?? DEFAULT_GROUP;
    const clientToken = readClientToken(request.body.ClientToken);
    const fields = readScheduleFields(request.body);
    if (!this.groups.has(groupName)) throw groupNotFound(groupName);
    const existing = this.schedules.get(key(groupName, name));
    if (existing) {
      // The SDK sends the same ClientToken when it retries a request: that is not a second create.
      if (clientToken !== undefined && existing.clientToken === clientToken)
        return { ScheduleArn: existing.arn };
      throw conflict(`Schedule ${name} already exists in schedule group ${groupName}.`);
    }
    const at = this.now();
    const schedule: ScheduleRecord = {
      name,
      groupName,
      arn: `arn:aws:scheduler:${this.region}:${this.accountId}:schedule/${groupName}/${name}`,
      ...fields,
      creationDate: at,
      lastModificationDate: at,
      anchor: fields.startDate ?? at,
      ...(clientToken !== undefined && { clientToken }),
    };
    this.schedules.set(key(groupName, name), schedule);
    this.changed(schedule);
    return { ScheduleArn: schedule.arn };
  }

  getSchedule(request: ApiRequest): object {
    return scheduleOutput(this.findSchedule(request.params.Name, request.query.get('groupName')));
  }

  /** UpdateSchedule replaces the whole schedule: members left out take their defaults (API reference). */
  updateSchedule(request: ApiRequest): object {
    const existing = this.findSchedule(request.params.Name, request.body.GroupName);
    const fields = readScheduleFields(request.body);
    const at = this.now();
    const schedule: ScheduleRecord = {
      name: existing.name,
      groupName: existing.groupName,
      arn: existing.arn,
      ...fields,
      creationDate: existing.creationDate,
      lastModificationDate: at,
      anchor: fields.startDate ?? at,
      ...(existing.clientToken !== undefined && { clientToken: existing.clientToken }),
    };
    this.schedules.set(key(schedule.groupName, schedule.name), schedule);
    this.changed(schedule);
    return { ScheduleArn: schedule.arn };
  }

  deleteSchedule(request: ApiRequest): object {
    readClientToken(request.query.get('clientToken'));
    const schedule = this.findSchedule(request.params.Name, request.query.get('groupName'));
    this.remove(schedule);
    return {};
  }

  listSchedules(request: ApiRequest): object {
    const groupName = readGroupName(request.query.get('ScheduleGroup'), 'groupName');
    const prefix = optionalString(request.query.get('NamePrefix'), 'namePrefix', {
      min: 1,
      max: 64,
      pattern: NAME_PATTERN,
    });
    const state = optionalString(request.query.get('State'), 'state', { allowed: ['ENABLED', 'DISABLED'] });
    if (groupName !== undefined && !this.groups.has(groupName)) throw groupNotFound(groupName);
    const matching = [...this.schedules.values()]
      .filter(
        (s) =>
          (groupName === undefined || s.groupName === groupName) &&
          (prefix === undefined || s.name.startsWith(prefix)) &&
          (state === undefined || s.state === state),
      )
      .sort((a, b) => compare(a.groupName, b.groupName) || compare(a.name, b.name));
    const page = paginate(
      matching,
      request.query,
      `schedules:${groupName ?? ''}:${prefix ?? ''}:${state ?? ''}`,
    );
    return {
      Schedules: page.items.map(scheduleSummary),
      ...(page.nextToken && { NextToken: page.nextToken }),
    };
  }

  // ---- groups

  createScheduleGroup(request: ApiRequest): object {
    const name = readName(request.params.Name, 'name');
    const clientToken = readClientToken(request.body.ClientToken);
    const tags = readTags(request.body.Tags);
    const existing = this.groups.get(name);
    if (existing) {
      if (clientToken !== undefined && existing.clientToken === clientToken)
        return { ScheduleGroupArn: existing.arn };
      throw conflict(`Schedule group ${name} already exists.`);
    }
    const at = this.now();
    const group: GroupRecord = {
      name,
      arn: this.groupArn(name),
      creationDate: at,
      lastModificationDate: at,
      tags,
      ...(clientToken !== undefined && { clientToken }),
    };
    this.groups.set(name, group);
    this.save();
    return { ScheduleGroupArn: group.arn };
  }

  getScheduleGroup(request: ApiRequest): object {
    const name = readName(request.params.Name, 'name');
    const group = this.groups.get(name);
    if (!group) throw groupNotFound(name);
    return groupOutput(group);
  }

  /** AWS deletes the group's schedules asynchronously (DELETING); locally it is done at once. */
  deleteScheduleGroup(request: ApiRequest): object {
    readClientToken(request.query.get('clientToken'));
    const name = readName(request.params.Name, 'name');
    if (name === DEFAULT_GROUP) throw validationError('The default schedule group cannot be deleted.');
    if (!this.groups.has(name)) throw groupNotFound(name);
    for (const schedule of [...this.schedules.values()])
      if (schedule.groupName === name) this.remove(schedule);
    this.groups.delete(name);
    this.save();
    return {};
  }

  listScheduleGroups(request: ApiRequest): object {
    const prefix = optionalString(request.query.get('NamePrefix'), 'namePrefix', {
      min: 1,
      max: 64,
      pattern: NAME_PATTERN,
    });
    const matching = [...this.groups.values()]
      .filter((g) => prefix === undefined || g.name.startsWith(prefix))
      .sort((a, b) => compare(a.name, b.name));
    const page = paginate(matching, request.query, `groups:${prefix ?? ''}`);
    return {
      ScheduleGroups: page.items.map(groupOutput),
      ...(page.nextToken && { NextToken: page.nextToken }),
    };
  }

  // ---- running schedules

  private changed(schedule: ScheduleRecord): void {
    const run = nextRun(schedule, this.now());
    if (run.kind === 'never' && schedule.state === 'ENABLED') {
      this.log(`[scheduler] ${schedule.groupName}/${schedule.name}: ${run.reason}`);
    }
    this.save();
    this.arm(schedule);
  }

  private arm(schedule: ScheduleRecord): void {
    const id = key(schedule.groupName, schedule.name);
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    if (!this.running) return;
    const run = nextRun(schedule, this.now());
    if (run.kind === 'completed') {
      this.completed(schedule);
      return;
    }
    if (run.kind === 'never') return;
    const delay = Math.min(Math.max(run.time - this.now(), 0), MAX_TIMER_MS);
    this.timers.set(
      id,
      setTimeout(() => this.onTimer(id), delay),
    );
  }

  private onTimer(id: string): void {
    this.timers.delete(id);
    const schedule = this.schedules.get(id);
    if (!schedule || !this.running) return;
    const run = nextRun(schedule, this.now());
    if (run.kind !== 'due' || run.time > this.now()) {
      // A long wait taken in steps, or a schedule that changed meanwhile.
      this.arm(schedule);
      return;
    }
    schedule.lastScheduledTime = run.time;
    const snapshot = structuredClone(schedule);
    this.save();
    // Written before the target is called: a crash right after never runs the same time twice.
    this.invoker.invoke(snapshot, run.time, this.store.flush());
    this.arm(schedule);
  }

  /** No run left: ActionAfterCompletion DELETE removes the schedule; NONE keeps it, idle. */
  private completed(schedule: ScheduleRecord): void {
    if (schedule.actionAfterCompletion === 'DELETE') this.remove(schedule);
  }

  private remove(schedule: ScheduleRecord): void {
    const id = key(schedule.groupName, schedule.name);
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.schedules.delete(id);
    this.save();
  }

  private findSchedule(nameValue: unknown, groupValue: unknown): ScheduleRecord {
    const name = readName(nameValue, 'name');
    const groupName = readGroupName(groupValue, 'groupName') ?? DEFAULT_GROUP;
    const schedule = this.schedules.get(key(groupName, name));
    if (!schedule) {
      if (!this.groups.has(groupName)) throw groupNotFound(groupName);
      throw scheduleNotFound(groupName, name);
    }
    return schedule;
  }

  private groupArn(name: string): string {
    return `arn:aws:scheduler:${this.region}:${this.accountId}:schedule-group/${name}`;
  }

  private save(): void {
    this.store.save(() => ({ groups: [...this.groups.values()], schedules: [...this.schedules.values()] }));
  }
}

type ScheduleFields = Pick<
  ScheduleRecord,
  | 'expression'
  | 'timezone'
  | 'state'
  | 'flexibleTimeWindow'
  | 'target'
  | 'actionAfterCompletion'
  | 'description'
  | 'startDate'
  | 'endDate'
  | 'kmsKeyArn'
>;

/** The members CreateSchedule and UpdateSchedule share, checked as the model constrains them. */
function readScheduleFields(body: RequestBody): ScheduleFields {
  const expression = requiredString(body.ScheduleExpression, 'scheduleExpression', { min: 1, max: 256 });
  const timezone = optionalString(body.ScheduleExpressionTimezone, 'scheduleExpressionTimezone', {
    min: 1,
    max: 50,
  });
  if (timezone !== undefined) assertTimezone(timezone);
  parseScheduleExpression(expression, timezone);
  const state = optionalString(body.State, 'state', { allowed: ['ENABLED', 'DISABLED'] }) as
    | ScheduleRecord['state']
    | undefined;
  const actionAfterCompletion = optionalString(body.ActionAfterCompletion, 'actionAfterCompletion', {
    allowed: ['NONE', 'DELETE'],
  }) as ScheduleRecord['actionAfterCompletion'] | undefined;
  const description = optionalString(body.Description, 'description', { min: 0, max: 512 });
  const kmsKeyArn = optionalString(body.KmsKeyArn, 'kmsKeyArn', { min: 1, max: 2048 });
  const startDate = optionalTimestamp(body.StartDate, 'startDate');
  const endDate = optionalTimestamp(body.EndDate, 'endDate');
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
    throw validationError('The EndDate must be after the StartDate.');
  }
  return {
    expression,
    ...(timezone !== undefined && { timezone }),
    state: state ?? 'ENABLED',
    flexibleTimeWindow: readFlexibleTimeWindow(body.FlexibleTimeWindow),
    target: readTarget(body.Target),
    actionAfterCompletion: actionAfterCompletion ?? 'NONE',
    ...(description !== undefined && { description }),
    ...(startDate !== undefined && { startDate }),
    ...(endDate !== undefined && { endDate }),
    ...(kmsKeyArn !== undefined && { kmsKeyArn }),
  };
}

function readFlexibleTimeWindow(value: unknown): FlexibleTimeWindow {
  const window = requiredObject(value, 'flexibleTimeWindow');
  const mode = requiredString(window.Mode, 'flexibleTimeWindow.mode', { allowed: ['OFF', 'FLEXIBLE'] }) as
    | 'OFF'
    | 'FLEXIBLE';
  const minutes = optionalInteger(
    window.MaximumWindowInMinutes,
    'flexibleTimeWindow.maximumWindowInMinutes',
    1,
    1440,
  );
  if (mode === 'FLEXIBLE' && minutes === undefined) {
    throw validationError('MaximumWindowInMinutes is required when the FlexibleTimeWindow Mode is FLEXIBLE.');
  }
  if (mode === 'OFF' && minutes !== undefined) {
    throw validationError('MaximumWindowInMinutes must not be set when the FlexibleTimeWindow Mode is OFF.');
  }
  return { Mode: mode, ...(minutes !== undefined && { MaximumWindowInMinutes: minutes }) };
}

function readTarget(value: unknown): Target {
  const target = requiredObject(value, 'target');
  const arn = requiredString(target.Arn, 'target.arn', { min: 1, max: 1600 });
  const roleArn = readRoleArn(target.RoleArn, 'target.roleArn');
  const input = optionalString(target.Input, 'target.input', { min: 1 });
  const retry = optionalObject(target.RetryPolicy, 'target.retryPolicy');
  const maximumRetryAttempts = optionalInteger(
    retry?.MaximumRetryAttempts,
    'target.retryPolicy.maximumRetryAttempts',
    0,
    185,
  );
  const maximumEventAgeInSeconds = optionalInteger(
    retry?.MaximumEventAgeInSeconds,
    'target.retryPolicy.maximumEventAgeInSeconds',
    60,
    86_400,
  );
  return {
    ...target,
    Arn: arn,
    RoleArn: roleArn,
    ...(input !== undefined && { Input: input }),
    ...(retry && {
      RetryPolicy: {
        ...(maximumRetryAttempts !== undefined && { MaximumRetryAttempts: maximumRetryAttempts }),
        ...(maximumEventAgeInSeconds !== undefined && { MaximumEventAgeInSeconds: maximumEventAgeInSeconds }),
      },
    }),
  };
}

function readTags(value: unknown): Array<{ Key: string; Value: string }> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > 200) {
    throw validationError(
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: at most 200 tags",
    );
  }
  return value.map((tag, i) => {
    const fields = requiredObject(tag, `tags.${i + 1}`);
    return {
      Key: requiredString(fields.Key, `tags.${i + 1}.member.key`, { min: 1, max: 128 }),
      Value: requiredString(fields.Value, `tags.${i + 1}.member.value`, { min: 1, max: 256 }),
    };
  });
}

/** NextToken: the offset and the listing it belongs to, so it cannot continue another listing. */
function paginate<T>(
  items: T[],
  query: URLSearchParams,
  listing: string,
): { items: T[]; nextToken?: string } {
  const size = readMaxResults(query.get('MaxResults')) ?? DEFAULT_PAGE_SIZE;
  let offset = 0;
  const token = query.get('NextToken');
  if (token !== null) {
    let cursor: { listing?: unknown; offset?: unknown } = {};
    try {
      cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof cursor;
    } catch {
      // handled below
    }
    if (cursor.listing !== listing || typeof cursor.offset !== 'number' || !Number.isInteger(cursor.offset)) {
      throw validationError('The NextToken is not valid for this request.');
    }
    offset = cursor.offset;
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return {
    items: page,
    ...(next < items.length && {
      nextToken: Buffer.from(JSON.stringify({ listing, offset: next })).toString('base64url'),
    }),
  };
}

const key = (groupName: string, name: string) => `${groupName}/${name}`;

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
