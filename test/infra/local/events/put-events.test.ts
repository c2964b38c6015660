import {
  DescribeEventBusCommand,
  InvalidEventPatternException,
  ListEventBusesCommand,
  PutEventsCommand,
  ResourceNotFoundException,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from '../../../../infra/local/events/index.js';
import {
  ACCOUNT,
  REGION,
  type RunningBus,
  removeDataDirs,
  STREAM_BUS,
  startLocalEvents,
} from './local-events-fixture.js';

const running: RunningBus[] = [];

afterEach(async () => {
  for (const instance of running.splice(0)) await instance.stop();
  await removeDataDirs();
});

async function start(options: Parameters<typeof startLocalEvents>[0] = {}): Promise<RunningBus> {
  const instance = await startLocalEvents(options);
  running.push(instance);
  return instance;
}

const statusChanged = (streamId: string, status: string) => ({
  EventBusName: STREAM_BUS,
  Source: 'live-streaming',
  DetailType: 'Stream Status Changed',
  Detail: JSON.stringify({ stream_id: streamId, status }),
  Resources: [`stream/${streamId}`],
});

describe('local EventBridge PutEvents', () => {
  it('delivers a put event to a matching subscriber, in the AWS envelope, and not to others', async () => {
    const { bus, client } = await start();
    const received: EventBridgeEvent[] = [];
    const other: EventBridgeEvent[] = [];
    bus.subscribe({ source: ['live-streaming'], detail: { status: ['RUNNING'] } }, async (event) => {
      received.push(event);
    });
    bus.subscribe({ source: ['aws.medialive'] }, async (event) => {
      other.push(event);
    });

    const time = new Date('2026-03-01T09:00:00.250Z');
    const out = await client.send(
      new PutEventsCommand({ Entries: [{ ...statusChanged('s1', 'RUNNING'), Time: time }] }),
    );
    await bus.idle();

    expect(out.FailedEntryCount).toBe(0);
    const eventId = out.Entries?.[0]?.EventId;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(received).toEqual([
      {
        version: '0',
        id: eventId,
        'detail-type': 'Stream Status Changed',
        source: 'live-streaming',
        account: ACCOUNT,
        time: '2026-03-01T09:00:00Z',
        region: REGION,
        resources: ['stream/s1'],
        detail: { stream_id: 's1', status: 'RUNNING' },
      },
    ]);
    expect(other).toEqual([]);
  });

  it('gives each subscriber its events one at a time, in the order they were put', async () => {
    const { bus, client } = await start();
    const seen: string[] = [];
    let busy = false;
    bus.subscribe({ source: ['live-streaming'] }, async (event) => {
      expect(busy).toBe(false);
      busy = true;
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(String(event.detail.status));
      busy = false;
    });
    await client.send(
      new PutEventsCommand({
        Entries: ['CREATING', 'IDLE', 'STARTING', 'RUNNING'].map((status) => statusChanged('s1', status)),
      }),
    );
    await bus.idle();
    expect(seen).toEqual(['CREATING', 'IDLE', 'STARTING', 'RUNNING']);
  });

  it('calls a failing subscriber again, then moves on to the next event', async () => {
    const { bus, client, logs } = await start({ handlerRetryDelaysMs: [1, 1] });
    const calls: string[] = [];
    bus.subscribe({ source: ['live-streaming'] }, async (event) => {
      calls.push(String(event.detail.status));
      if (event.detail.status === 'IDLE') throw new Error('table busy');
    });
    await client.send(
      new PutEventsCommand({ Entries: [statusChanged('s1', 'IDLE'), statusChanged('s1', 'RUNNING')] }),
    );
    await bus.idle();
    expect(calls).toEqual(['IDLE', 'IDLE', 'IDLE', 'RUNNING']);
    expect(logs.some((line) => line.includes('dropping the event') && line.includes('table busy'))).toBe(
      true,
    );
  });

  it('stops delivering to a subscriber once it unsubscribes', async () => {
    const { bus, client } = await start();
    const seen: unknown[] = [];
    const unsubscribe = bus.subscribe({ source: ['live-streaming'] }, async (event) => {
      seen.push(event.detail.status);
    });
    await client.send(new PutEventsCommand({ Entries: [statusChanged('s1', 'IDLE')] }));
    await bus.idle();
    unsubscribe();
    await client.send(new PutEventsCommand({ Entries: [statusChanged('s1', 'RUNNING')] }));
    await bus.idle();
    expect(seen).toEqual(['IDLE']);
  });

  it('answers a failed entry for malformed detail, missing fields, aws.* sources and unknown buses, keeping the others', async () => {
    const { bus, client } = await start();
    const seen: unknown[] = [];
    bus.subscribe({ source: [{ prefix: '' }] }, async (event) => {
      seen.push(event.detail.status);
    });
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { ...statusChanged('s1', 'IDLE'), Detail: '{"stream_id": ' },
          { ...statusChanged('s1', 'IDLE'), Detail: '["not", "an", "object"]' },
          { ...statusChanged('s1', 'IDLE'), DetailType: undefined },
          { ...statusChanged('s1', 'IDLE'), Source: 'aws.medialive' },
          { ...statusChanged('s1', 'IDLE'), EventBusName: 'nobody-made-this-bus' },
          statusChanged('s1', 'RUNNING'),
        ],
      }),
    );
    await bus.idle();
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual([
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'NotAuthorizedForSourceException',
      'InvalidArgument',
      undefined,
    ]);
    expect(out.Entries?.[5]?.EventId).toBeDefined();
    expect(seen).toEqual(['RUNNING']);
  });

  it('accepts events on the default bus by name or ARN', async () => {
    const { bus, client } = await start();
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { ...statusChanged('s1', 'IDLE'), EventBusName: undefined },
          { ...statusChanged('s1', 'IDLE'), EventBusName: bus.eventBusArn('default') },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
  });

  it('delivers to a subscriber bound to a bus only the events put on that bus', async () => {
    const { bus, client } = await start();
    const seen: string[] = [];
    bus.subscribe(
      { source: ['live-streaming'] },
      async (event) => {
        seen.push(String(event.detail.status));
      },
      { eventBusName: bus.eventBusArn(STREAM_BUS) },
    );
    await client.send(
      new PutEventsCommand({
        Entries: [
          { ...statusChanged('s1', 'IDLE'), EventBusName: 'default' },
          statusChanged('s1', 'RUNNING'),
        ],
      }),
    );
    await bus.idle();
    expect(seen).toEqual(['RUNNING']);
  });

  it('refuses a subscription whose pattern uses an operator it cannot evaluate', async () => {
    const { bus } = await start();
    expect(() => bus.subscribe({ source: [{ wildcard: 'aws.*' } as never] }, async () => undefined)).toThrow(
      /not supported locally/,
    );
  });

  it('publishes in-process events, aws.* sources included, to subscribers', async () => {
    const { bus } = await start();
    const seen: EventBridgeEvent<{ state: string }>[] = [];
    bus.subscribe<{ state: string }>(
      { source: ['aws.medialive'], 'detail-type': ['MediaLive Channel State Change'] },
      async (event) => {
        seen.push(event);
      },
    );
    const event = await bus.publish({
      source: 'aws.medialive',
      detailType: 'MediaLive Channel State Change',
      detail: { state: 'STOPPED', pipeline: '0' },
      resources: ['arn:aws:medialive:us-east-1:123456789012:channel:1'],
    });
    await bus.idle();
    expect(seen).toEqual([event]);
    expect(seen[0]?.detail.state).toBe('STOPPED');
  });

  it('refuses more than 10 entries in one call', async () => {
    const { client } = await start();
    await expect(
      client.send(
        new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => statusChanged('s1', 'IDLE')) }),
      ),
    ).rejects.toThrow(/length between 1 and 10/);
  });
});

describe('local EventBridge bus look-ups', () => {
  it('describes the default bus and the configured ones, and lists them by prefix and page', async () => {
    const { client } = await start({ eventBusNames: [STREAM_BUS, 'live-audit'] });
    const described = await client.send(new DescribeEventBusCommand({}));
    expect(described).toMatchObject({
      Name: 'default',
      Arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`,
    });
    expect(described.CreationTime).toBeInstanceOf(Date);
    const mine = await client.send(new DescribeEventBusCommand({ Name: STREAM_BUS }));
    expect(mine.Arn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${STREAM_BUS}`);

    const first = await client.send(new ListEventBusesCommand({ NamePrefix: 'live-', Limit: 1 }));
    expect(first.EventBuses?.map((b) => b.Name)).toEqual(['live-audit']);
    const second = await client.send(
      new ListEventBusesCommand({ NamePrefix: 'live-', Limit: 1, NextToken: first.NextToken }),
    );
    expect(second.EventBuses?.map((b) => b.Name)).toEqual([STREAM_BUS]);
    expect(second.NextToken).toBeUndefined();
  });

  it('answers ResourceNotFoundException for a bus that does not exist', async () => {
    const { client } = await start();
    await expect(client.send(new DescribeEventBusCommand({ Name: 'nope' }))).rejects.toThrow(
      ResourceNotFoundException,
    );
  });

  it('tests a pattern against an event, refusing patterns outside the supported subset', async () => {
    const { client } = await start();
    const event = JSON.stringify({
      id: '1',
      source: 'aws.medialive',
      'detail-type': 'MediaLive Channel Alert',
      detail: { alert_type: 'RTMP Has No Audio/Video', alarm_state: 'SET' },
    });
    const yes = await client.send(
      new TestEventPatternCommand({ Event: event, EventPattern: '{"detail":{"alarm_state":["SET"]}}' }),
    );
    const no = await client.send(
      new TestEventPatternCommand({ Event: event, EventPattern: '{"detail":{"alarm_state":["CLEARED"]}}' }),
    );
    expect([yes.Result, no.Result]).toEqual([true, false]);
    await expect(
      client.send(
        new TestEventPatternCommand({ Event: event, EventPattern: '{"source":[{"suffix":"live"}]}' }),
      ),
    ).rejects.toThrow(InvalidEventPatternException);
  });
});
