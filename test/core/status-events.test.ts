import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeStatusPublisher, type StatusChangedDetail } from '../../core/status-events.js';
import { StreamStore } from '../../core/stream-store.js';
import { anIdleStream } from '../support/builders.js';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS } from '../support/dynalite.js';

const client = new EventBridgeClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS });
const events = mockClient(client);
let db: LocalDynamo;
let store: StreamStore;
const failures: unknown[] = [];

beforeAll(async () => {
  db = await startDynalite('streams-events');
  store = new StreamStore(
    db.doc,
    db.tableName,
    () => new Date('2026-11-23T10:00:00Z'),
    new EventBridgeStatusPublisher(client, 'live-streams', (e) => failures.push(e)),
  );
});
afterAll(async () => db.close());
beforeEach(() => {
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
  failures.length = 0;
});

const published = (): StatusChangedDetail[] =>
  events
    .commandCalls(PutEventsCommand)
    .map((c) => JSON.parse(c.args[0].input.Entries?.[0]?.Detail as string) as StatusChangedDetail);

describe('status events from the store', () => {
  it('names no session for IDLE → STARTING (the record still holds the previous one), then the new one when RUNNING', async () => {
    const idle = await store.create(anIdleStream({ current_session_id: 'PREVIOUS', started: false }));
    const starting = await store.update(idle, { status: 'STARTING' });
    await store.update(starting, { status: 'RUNNING', current_session_id: 'NEW', started: true });

    expect(published().map((e) => [e.status, e.session_id])).toEqual([
      ['IDLE', 'PREVIOUS'],
      ['STARTING', null],
      ['RUNNING', 'NEW'],
    ]);
  });

  it('puts one "Stream Status Changed" event per status change on the deployment bus', async () => {
    const stream = await store.create(anIdleStream({ status: 'CREATING' }));
    const idle = await store.update(stream, { status: 'IDLE' });
    await store.update(idle, { name: 'renamed' });
    expect(events).toHaveReceivedCommandTimes(PutEventsCommand, 2);
    expect(events).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        expect.objectContaining({
          EventBusName: 'live-streams',
          Source: 'live-streaming',
          DetailType: 'Stream Status Changed',
        }),
      ],
    });
    expect(published().map((d) => [d.previous_status, d.status])).toEqual([
      [null, 'CREATING'],
      ['CREATING', 'IDLE'],
    ]);
    expect(published()[1]).toMatchObject({
      stream_id: stream.id,
      stream_name: stream.name,
      version: stream.version + 1,
    });
  });

  it('says why when a workflow failed, and DELETED when the record goes', async () => {
    const stream = await store.create(anIdleStream({ status: 'DELETING' }));
    events.reset();
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    const failed = await store.update(stream, {
      status: 'FAILED',
      error: {
        code: 'ChannelFailed',
        message: 'channel is CREATE_FAILED',
        action: 'delete',
        at: '2026-11-23T10:00:00Z',
      },
    });
    await store.delete(failed);
    expect(published().map((d) => [d.status, d.reason])).toEqual([
      ['FAILED', 'channel is CREATE_FAILED'],
      ['DELETED', 'channel is CREATE_FAILED'],
    ]);
  });

  it('keeps the status change when EventBridge refuses the event, and reports the failure', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try later' }],
    });
    const stream = await store.create(anIdleStream({ status: 'IDLE' }));
    const starting = await store.update(stream, { status: 'STARTING' });
    expect((await store.get(stream.id)).status).toBe('STARTING');
    expect(starting.status).toBe('STARTING');
    expect(failures.length).toBeGreaterThanOrEqual(1);
  });
});
