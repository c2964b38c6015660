import { Logger } from '@aws-lambda-powertools/logger';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiHandler, createApi } from '../../api/app.js';
import { ArchiveAccess } from '../../api/archive-access.js';
import { DynamoIdempotencyStore } from '../../api/idempotency.js';
import { SfnWorkflowStarter } from '../../api/workflow-starter.js';
import { ClipStore } from '../../core/clip-store.js';
import { StreamSchedules } from '../../core/stream-schedules.js';
import { StreamStore } from '../../core/stream-store.js';
import { anIdleStream } from '../support/builders.js';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS } from '../support/dynalite.js';
import { apiEvent, DEFAULT_CONFIG, MACHINES, readAnswer, SPLIT_MACHINE } from './api-harness.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const TARGETS = {
  groupName: 'live-streaming',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler',
  startStateMachineArn: MACHINES.start,
  stopStateMachineArn: MACHINES.stop,
};

let db: LocalDynamo;
let store: StreamStore;
const scheduler = mockClient(SchedulerClient);
const s3 = mockClient(S3Client);
let handler: ApiHandler;
let unscheduled: ApiHandler;

beforeAll(async () => {
  db = await startDynalite('streams-schedule');
  store = new StreamStore(db.doc, db.tableName, () => NOW);
  const base = {
    store,
    clips: new ClipStore(db.doc, db.tableName, () => NOW),
    workflows: new SfnWorkflowStarter(
      new SFNClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS }),
      MACHINES,
      SPLIT_MACHINE,
    ),
    idempotency: new DynamoIdempotencyStore(db.doc, db.tableName),
    logger: new Logger({ serviceName: 'schedule-test', logLevel: 'CRITICAL' }),
    config: { ...DEFAULT_CONFIG, defaultMaxDurationSeconds: 3600 },
    now: () => NOW,
  };
  handler = createApi({
    ...base,
    archive: new ArchiveAccess(
      new S3Client({ region: 'us-east-1', credentials: TEST_CREDENTIALS }),
      'archive',
    ),
    schedules: new StreamSchedules(
      new SchedulerClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS }),
      TARGETS,
    ),
  });
  unscheduled = createApi(base);
});
afterAll(async () => db.close());
beforeEach(() => {
  scheduler.reset();
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
  scheduler.on(DeleteScheduleCommand).resolves({});
  s3.reset();
  s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
});

const call = async (h: ApiHandler, method: string, path: string, json?: unknown) =>
  readAnswer(await h(apiEvent(method, path, json === undefined ? {} : { json })));

describe('POST /streams/{id}/schedule', () => {
  it('creates one-time schedules that start and stop the state machines directly', async () => {
    const stream = await store.create(anIdleStream());
    const answer = await call(handler, 'POST', `/streams/${stream.id}/schedule`, {
      start_at: '2026-11-23T14:30:00+01:00',
      stop_at: '2026-11-23T14:00:00Z',
      path: 'events/keynote',
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.body.schedule).toMatchObject({
      start_at: '2026-11-23T13:30:00.000Z',
      stop_at: '2026-11-23T14:00:00.000Z',
    });
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: `${stream.id}-start`,
      GroupName: 'live-streaming',
      ScheduleExpression: 'at(2026-11-23T13:30:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: expect.objectContaining({ Arn: MACHINES.start, RoleArn: TARGETS.roleArn }),
    });
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: `${stream.id}-stop`,
      ScheduleExpression: 'at(2026-11-23T14:00:00)',
      Target: expect.objectContaining({ Arn: MACHINES.stop }),
    });
    const startInput = JSON.parse(
      scheduler.commandCalls(CreateScheduleCommand).find((c) => c.args[0].input.Name?.endsWith('-start'))
        ?.args[0].input.Target?.Input as string,
    );
    expect(startInput).toMatchObject({
      stream_id: stream.id,
      action: 'start',
      options: { path: 'events/keynote' },
      request_id: `schedule:${stream.id}-start`,
    });
  });

  it('replaces an existing schedule of the same name, and drops the old stop when the new one has none', async () => {
    const stream = await store.create(anIdleStream());
    scheduler
      .on(CreateScheduleCommand)
      .rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }))
      .resolves({});
    const answer = await call(handler, 'POST', `/streams/${stream.id}/schedule`, {
      start_at: '2026-11-24T09:00:00Z',
    });
    expect(answer.statusCode).toBe(200);
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, {
      Name: `${stream.id}-start`,
      GroupName: 'live-streaming',
    });
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, {
      Name: `${stream.id}-stop`,
      GroupName: 'live-streaming',
    });
    expect(answer.body.schedule.stop_at).toBeNull();
  });

  it.each([
    ['a start in the past', { start_at: '2026-11-23T11:00:00Z' }, 'start_at'],
    ['a start more than a year ahead', { start_at: '2028-01-01T00:00:00Z' }, 'start_at'],
    [
      'a stop before the start',
      { start_at: '2026-11-23T13:00:00Z', stop_at: '2026-11-23T12:30:00Z' },
      'stop_at',
    ],
    [
      'a duration above the maximum',
      { start_at: '2026-11-23T13:00:00Z', stop_at: '2026-11-23T15:00:00Z' },
      'stop_at',
    ],
    ['a time without an offset', { start_at: '2026-11-23T13:00:00' }, 'start_at'],
    ['a date that does not exist', { start_at: '2026-02-30T13:00:00Z' }, 'start_at'],
    ['a path with a "." segment', { start_at: '2026-11-23T13:00:00Z', path: 'a/./b' }, 'path'],
  ])('answers 400 naming the field for %s, and schedules nothing', async (_, body, field) => {
    const stream = await store.create(anIdleStream());
    const answer = await call(handler, 'POST', `/streams/${stream.id}/schedule`, body);
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
    expect((await store.get(stream.id)).schedule).toBeNull();
  });

  it("answers 400 naming path when the path is already another session's archive, and schedules nothing", async () => {
    const owner = await store.create(anIdleStream());
    await store.reserveArchivePrefix('events/2026/gala', { streamId: owner.id, execution: 'earlier' });
    const stream = await store.create(anIdleStream());
    const answer = await call(handler, 'POST', `/streams/${stream.id}/schedule`, {
      start_at: '2026-11-23T13:00:00Z',
      path: 'events/2026/gala',
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details).toEqual([
      { field: 'path', reason: 'is the archive of another recording session: choose another path' },
    ]);
    expect(scheduler).not.toHaveReceivedCommand(CreateScheduleCommand);
    expect((await store.get(stream.id)).schedule).toBeNull();
  });

  it('answers 409 while the stream is being deleted', async () => {
    const stream = await store.create(anIdleStream({ status: 'DELETING' }));
    const answer = await call(handler, 'POST', `/streams/${stream.id}/schedule`, {
      start_at: '2026-11-23T13:00:00Z',
    });
    expect(answer.statusCode).toBe(409);
    expect(answer.body.error.status).toBe('DELETING');
  });

  it('answers 409 when the deployment has no schedule group', async () => {
    const stream = await store.create(anIdleStream());
    const answer = await call(unscheduled, 'POST', `/streams/${stream.id}/schedule`, {
      start_at: '2026-11-23T13:00:00Z',
    });
    expect(answer.statusCode).toBe(409);
    expect(answer.body.error.code).toBe('FeatureNotConfigured');
  });
});

describe('GET and DELETE /streams/{id}/schedule', () => {
  it('answers 404 when there is no schedule, and the schedule once set', async () => {
    const stream = await store.create(anIdleStream());
    expect((await call(handler, 'GET', `/streams/${stream.id}/schedule`)).statusCode).toBe(404);
    await call(handler, 'POST', `/streams/${stream.id}/schedule`, { start_at: '2026-11-23T13:00:00Z' });
    const answer = await call(handler, 'GET', `/streams/${stream.id}/schedule`);
    expect(answer.statusCode).toBe(200);
    expect(answer.body.start_at).toBe('2026-11-23T13:00:00.000Z');
  });

  it('cancels both schedules, tolerating ones that already fired', async () => {
    const stream = await store.create(anIdleStream());
    await call(handler, 'POST', `/streams/${stream.id}/schedule`, {
      start_at: '2026-11-23T13:00:00Z',
      stop_at: '2026-11-23T13:30:00Z',
    });
    scheduler
      .on(DeleteScheduleCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    const answer = await call(handler, 'DELETE', `/streams/${stream.id}/schedule`);
    expect(answer.statusCode).toBe(200);
    expect(answer.body.schedule).toBeNull();
    expect(scheduler).toHaveReceivedCommandWith(DeleteScheduleCommand, { Name: `${stream.id}-stop` });
  });
});
