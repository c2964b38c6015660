import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBridgeEvent } from '../../../../infra/local/events/index.js';
import { ACCOUNT, REGION, type RunningBus, STREAM_BUS, startLocalEvents } from './local-events-fixture.js';

const running: RunningBus[] = [];

afterEach(async () => {
  for (const instance of running.splice(0)) await instance.stop();
});

async function start(options: Parameters<typeof startLocalEvents>[0] = {}): Promise<RunningBus> {
  const instance = await startLocalEvents(options);
  running.push(instance);
  return instance;
}

const bySource =
  (source: string) =>
  (event: EventBridgeEvent): boolean =>
    event.source === source;

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
    bus.subscribe(
      (event) => event.source === 'live-streaming' && event.detail.status === 'RUNNING',
      async (event) => {
        received.push(event);
      },
    );
    bus.subscribe(bySource('aws.medialive'), async (event) => {
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
    bus.subscribe(bySource('live-streaming'), async (event) => {
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
    bus.subscribe(bySource('live-streaming'), async (event) => {
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
    const unsubscribe = bus.subscribe(bySource('live-streaming'), async (event) => {
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
    bus.subscribe(
      () => true,
      async (event) => {
        seen.push(event.detail.status);
      },
    );
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
    const { client } = await start();
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { ...statusChanged('s1', 'IDLE'), EventBusName: undefined },
          {
            ...statusChanged('s1', 'IDLE'),
            EventBusName: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`,
          },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
  });

  it('publishes in-process events, aws.* sources included, to subscribers', async () => {
    const { bus } = await start();
    const seen: EventBridgeEvent[] = [];
    bus.subscribe(bySource('aws.medialive'), async (event) => {
      seen.push(event);
    });
    const event = bus.publish({
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
    ).rejects.toThrow(/1 to 10 entries/);
  });
});
