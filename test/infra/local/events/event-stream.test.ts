import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBridgeEvent, LocalEventBridge } from '../../../../infra/local/events/index.js';
import {
  type RunningBus,
  SseReader,
  STREAM_BUS,
  serveSse,
  startLocalEvents,
} from './local-events-fixture.js';

const running: RunningBus[] = [];
const readers: SseReader[] = [];
const servers: Array<{ close(cb: () => void): void; closeAllConnections(): void }> = [];

afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  for (const instance of running.splice(0)) await instance.stop();
});

async function start(options: Parameters<typeof startLocalEvents>[0] = {}): Promise<RunningBus> {
  const instance = await startLocalEvents(options);
  running.push(instance);
  return instance;
}

async function sse(instance: RunningBus, heartbeatMs?: number): Promise<string> {
  const served = await serveSse(instance.bus, heartbeatMs);
  servers.push(served.server);
  return served.url;
}

function reader(): SseReader {
  const r = new SseReader();
  readers.push(r);
  return r;
}

const put = (instance: RunningBus, ...statuses: string[]) =>
  instance.client.send(
    new PutEventsCommand({
      Entries: statuses.map((status) => ({
        EventBusName: STREAM_BUS,
        Source: 'live-streaming',
        DetailType: 'Stream Status Changed',
        Detail: JSON.stringify({ stream_id: 's1', status }),
      })),
    }),
  );

const statusOf = (data: string | undefined) => (JSON.parse(data ?? '{}') as EventBridgeEvent).detail.status;

describe('local EventBridge server-sent events', () => {
  it('streams events in order as text/event-stream with id, event and data lines', async () => {
    const instance = await start();
    const url = await sse(instance);
    const client = reader();
    const response = await client.open(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/event-stream/);

    const out = await put(instance, 'CREATING', 'IDLE', 'STARTING');
    instance.bus.publish({
      source: 'aws.medialive',
      detailType: 'MediaLive Channel State Change',
      detail: { state: 'RUNNING' },
    });
    await put(instance, 'RUNNING');
    const messages = await client.waitForMessages(5);

    expect(messages.map((m) => m.event)).toEqual([
      'Stream Status Changed',
      'Stream Status Changed',
      'Stream Status Changed',
      'MediaLive Channel State Change',
      'Stream Status Changed',
    ]);
    expect(messages.slice(0, 3).map((m) => m.id)).toEqual(out.Entries?.map((e) => e.EventId));
    const envelopes = messages.map((m) => JSON.parse(m.data ?? '') as EventBridgeEvent);
    expect(envelopes.map((e) => e.id)).toEqual(messages.map((m) => m.id));
    expect(envelopes.map((e) => e.detail.status ?? e.detail.state)).toEqual([
      'CREATING',
      'IDLE',
      'STARTING',
      'RUNNING',
      'RUNNING',
    ]);
  });

  it('resumes after the Last-Event-ID a reconnecting client sends, then keeps streaming', async () => {
    const instance = await start();
    const url = await sse(instance);
    const first = reader();
    await first.open(url);
    await put(instance, 'CREATING', 'IDLE');
    const [, lastSeen] = await first.waitForMessages(2);
    first.close();

    await put(instance, 'STARTING', 'RUNNING');
    const again = reader();
    await again.open(url, { 'Last-Event-ID': lastSeen?.id ?? '' });
    await put(instance, 'STOPPING');
    const messages = await again.waitForMessages(3);
    expect(messages.map((m) => statusOf(m.data))).toEqual(['STARTING', 'RUNNING', 'STOPPING']);
  });

  it('replays every held event for an id it does not hold (?since=0) and streams only new ones without an id', async () => {
    const instance = await start();
    const url = await sse(instance);
    await put(instance, 'CREATING', 'IDLE');
    const fromStart = reader();
    await fromStart.open(`${url}?since=0`);
    const liveOnly = reader();
    await liveOnly.open(url);
    await put(instance, 'STARTING');
    expect((await fromStart.waitForMessages(3)).map((m) => statusOf(m.data))).toEqual([
      'CREATING',
      'IDLE',
      'STARTING',
    ]);
    expect((await liveOnly.waitForMessages(1)).map((m) => statusOf(m.data))).toEqual(['STARTING']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(liveOnly.messages).toHaveLength(1);
  });

  it('sends a comment heartbeat while no event comes', async () => {
    const instance = await start();
    const url = await sse(instance, 30);
    const client = reader();
    await client.open(url);
    await client.waitUntil(
      () => client.comments.filter((c) => c === 'heartbeat').length >= 2,
      2000,
      'heartbeats',
    );
    expect(client.messages).toEqual([]);
  });

  it('stops following the bus when the client goes away', async () => {
    let returned = false;
    const neverEnding: AsyncIterableIterator<EventBridgeEvent> = {
      [Symbol.asyncIterator]: () => neverEnding,
      next: () => new Promise(() => undefined),
      return: async () => {
        returned = true;
        return { done: true, value: undefined };
      },
    };
    const served = await serveSse({ stream: () => neverEnding } as unknown as LocalEventBridge, 10);
    servers.push(served.server);
    const client = reader();
    await client.open(served.url);
    client.close();
    await waitFor(() => returned);
  });

  it('ends open streams when the bus closes', async () => {
    const instance = await start();
    const url = await sse(instance);
    const client = reader();
    const response = await client.open(url);
    const ended = new Promise<void>((resolve) => response.on('end', resolve));
    running.splice(running.indexOf(instance), 1);
    await instance.stop();
    await ended;
  });
});

describe('local EventBridge held events', () => {
  it('holds the last 1,000 events for clients that resume', async () => {
    const instance = await start();
    for (let i = 0; i < 1005; i++) {
      instance.bus.publish({
        source: 'live-streaming',
        detailType: 'Stream Status Changed',
        detail: { status: `S${i}` },
      });
    }
    const stream = instance.bus.stream('unknown-id');
    const first = await stream.next();
    await stream.return?.();
    expect(statusOf(JSON.stringify(first.value))).toBe('S5');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
