/**
 * The local EventBridge (see README.md in this folder): PutEvents over the EventBridge JSON
 * protocol, in-process rules (`subscribe`) and producers (`publish`), and the last events held for
 * `stream()`, which the local API serves as server-sent events at GET /events (`sseHandler`).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter, on } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../aws-server/aws-error.js';
import { Fields, isObject, isString } from '../aws-server/fields.js';
import { Pauses } from '../aws-server/pauses.js';
import { type JsonObject, jsonApi } from '../aws-server/protocols.js';
import type { AwsApi } from '../aws-server/server.js';

/** An event as EventBridge delivers it to a target (EventBridge User Guide, "Amazon EventBridge events"). */
export interface EventBridgeEvent {
  version: '0';
  /** A UUID; also the `id:` of the server-sent event. */
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 in UTC to the second, as AWS writes it: `2026-03-01T09:00:00Z`. */
  time: string;
  region: string;
  resources: string[];
  detail: JsonObject;
}

export interface PublishInput {
  source: string;
  detailType: string;
  /** Any JSON-serialisable object; it crosses a JSON boundary like PutEvents' `Detail`. */
  detail: object;
  resources?: string[];
  time?: Date;
  /** Name or ARN. @default 'default' */
  eventBusName?: string;
}

export interface LocalEventBridgeOptions {
  /** @default 'us-east-1' */
  region?: string;
  /** @default '000000000000' */
  accountId?: string;
  /** Buses besides `default` that PutEvents accepts. */
  eventBusNames?: string[];
  /** Pauses before a failed handler gets the same event again. @default [1000, 5000] */
  handlerRetryDelaysMs?: number[];
  log?: (line: string) => void;
}

type Handler = (event: EventBridgeEvent) => Promise<void>;

export interface LocalEventBridge {
  api: AwsApi;
  /**
   * A rule: `handler` gets every later event `matches` accepts, one at a time and in order; one that
   * throws gets the event again after each of `handlerRetryDelaysMs`, then the event is dropped.
   */
  subscribe(matches: (event: EventBridgeEvent) => boolean, handler: Handler): () => void;
  /** Puts an event on the bus (any source, `aws.*` included) and answers its envelope. */
  publish(input: PublishInput): EventBridgeEvent;
  /**
   * The held events after `sinceId` (all of them for an id no longer held), then live ones, until
   * `return()` or `close()`. Without `sinceId`, live events only.
   */
  stream(sinceId?: string): AsyncIterableIterator<EventBridgeEvent>;
  /** Resolves once every delivery queued so far has settled (tests). */
  idle(): Promise<void>;
  /** Ends every stream and waits for deliveries in flight. */
  close(): Promise<void>;
}

/** Events held for clients that resume after a reconnect (Last-Event-ID). */
const HELD_EVENTS = 1000;

export function createLocalEventBridge(options: LocalEventBridgeOptions = {}): LocalEventBridge {
  const buses = new Set(['default', ...(options.eventBusNames ?? [])]);
  const retryDelays = options.handlerRetryDelaysMs ?? [1000, 5000];
  const log = options.log ?? ((line: string) => console.log(line));
  const held: EventBridgeEvent[] = [];
  const rules = new Set<{
    matches: (event: EventBridgeEvent) => boolean;
    handler: Handler;
    queue: Promise<void>;
  }>();
  /** Every event as it is put, then `close` when the bus closes: what streams follow. */
  const feed = new EventEmitter().setMaxListeners(0);
  const pauses = new Pauses();
  let closed = false;

  const busName = (nameOrArn = 'default') =>
    /^arn:aws[\w-]*:events:[^:]*:\d*:event-bus\/(.+)$/.exec(nameOrArn)?.[1] ?? nameOrArn;

  const deliver = async (handler: Handler, event: EventBridgeEvent) => {
    for (const delay of [...retryDelays, undefined]) {
      try {
        return await handler(event);
      } catch (error) {
        const what = `[events] a local rule failed on ${event['detail-type']} ${event.id}: ${String(error)}`;
        if (delay === undefined || closed) return log(`${what}; dropping the event`);
        log(`${what}; retrying in ${delay} ms`);
        await pauses.wait(delay);
      }
    }
  };

  const publish = (input: PublishInput): EventBridgeEvent => {
    const bus = busName(input.eventBusName);
    if (closed || !buses.has(bus))
      throw new Error(closed ? 'the local EventBridge is closed' : `no event bus ${bus}`);
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': input.detailType,
      source: input.source,
      account: options.accountId ?? '000000000000',
      time: `${(input.time ?? new Date()).toISOString().slice(0, 19)}Z`,
      region: options.region ?? 'us-east-1',
      resources: [...(input.resources ?? [])],
      detail: JSON.parse(JSON.stringify(input.detail)) as JsonObject,
    };
    held.push(event);
    if (held.length > HELD_EVENTS) held.shift();
    feed.emit('event', event);
    for (const rule of rules)
      if (rule.matches(event)) rule.queue = rule.queue.then(() => deliver(rule.handler, event));
    return event;
  };

  /** One entry of PutEvents; each fails on its own, as on AWS. */
  const putEntry = (entry: unknown) => {
    const fields = new Fields(
      isObject(entry) ? entry : {},
      (message) => new AwsError('InvalidArgument', message),
    );
    const source = fields.string('Source', { required: true, min: 1 });
    const detailType = fields.string('DetailType', { required: true, min: 1 });
    const detailText = fields.string('Detail', { required: true });
    // Only AWS services put `aws.*` events; in-process producers use publish().
    if (source.startsWith('aws.'))
      throw new AwsError('NotAuthorizedForSourceException', 'Not authorized for the source.');
    let detail: unknown;
    try {
      detail = JSON.parse(detailText);
    } catch {}
    if (!isObject(detail)) throw new AwsError('MalformedDetail', 'Detail is malformed.');
    const eventBusName = busName(fields.string('EventBusName'));
    if (!buses.has(eventBusName))
      throw new AwsError('InvalidArgument', `Event bus ${eventBusName} does not exist.`);
    // AWS JSON sends timestamps as epoch seconds.
    const time = typeof fields.raw.Time === 'number' ? new Date(fields.raw.Time * 1000) : undefined;
    const resources = fields.list('Resources', isString, 'ARNs') ?? [];
    return publish({ source, detailType, detail, resources, eventBusName, ...(time && { time }) }).id;
  };

  return {
    api: jsonApi('json-1.1', 'AWSEvents.', {
      PutEvents(body) {
        const entries = body.Entries;
        if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
          throw new AwsError('ValidationException', 'Entries must hold 1 to 10 entries.');
        }
        const results = entries.map((entry: unknown) => {
          try {
            return { EventId: putEntry(entry) };
          } catch (error) {
            if (!(error instanceof AwsError)) throw error;
            return { ErrorCode: error.code, ErrorMessage: error.message };
          }
        });
        return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
      },
    }),
    publish,
    subscribe(matches, handler) {
      const rule = { matches, handler, queue: Promise.resolve() };
      rules.add(rule);
      return () => rules.delete(rule);
    },
    stream(sinceId) {
      // Held events after `sinceId` first (none without one), then live ones as they come.
      const backlog = sinceId === undefined ? [] : held.slice(held.findIndex((e) => e.id === sinceId) + 1);
      const live = on(feed, 'event', { close: ['close'] });
      let ended = false;
      const end = async () => {
        ended = true;
        await live.return?.();
        return { done: true as const, value: undefined };
      };
      const iterator: AsyncIterableIterator<EventBridgeEvent> = {
        [Symbol.asyncIterator]: () => iterator,
        async next() {
          const event = closed || ended ? undefined : (backlog.shift() ?? (await live.next()).value?.[0]);
          return event ? { done: false, value: event as EventBridgeEvent } : end();
        },
        return: end,
      };
      return iterator;
    },
    async idle() {
      // A delivery may queue a retry, and a handler may publish: settle until nothing moved.
      for (;;) {
        const tails = [...rules].map((rule) => rule.queue);
        await Promise.all(tails);
        if ([...rules].every((rule, i) => rule.queue === tails[i])) return;
      }
    },
    async close() {
      closed = true;
      feed.emit('close');
      pauses.cancelAll();
      await Promise.all([...rules].map((rule) => rule.queue));
    },
  };
}

/** Proxies and browsers drop idle connections; a comment line every 15 s keeps them open. */
const HEARTBEAT_MS = 15_000;

/**
 * Server-sent events: one message per event, `id:` the event id, `event:` its detail-type, `data:`
 * the envelope as JSON on one line. A reconnecting EventSource sends `Last-Event-ID` and first gets
 * what it missed; `?since=<id>` does the same by hand (an id no longer held replays every held event).
 */
export function sseHandler(
  bus: Pick<LocalEventBridge, 'stream'>,
  heartbeatMs = HEARTBEAT_MS,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const lastId = request.headers['last-event-id'];
    const since = new URL(request.url ?? '/', 'http://local').searchParams.get('since');
    const events = bus.stream(typeof lastId === 'string' && lastId !== '' ? lastId : since || undefined);
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      // nginx and similar proxies buffer responses unless told otherwise.
      'X-Accel-Buffering': 'no',
    });
    // Sends the headers at once, so clients see the stream open before the first event.
    response.write(': connected\n\n');
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), heartbeatMs);
    response.on('close', () => {
      clearInterval(heartbeat);
      void events.return?.();
    });
    void (async () => {
      for await (const event of events) {
        // A line break would end the field early; detail-types are free text.
        const name = event['detail-type'].replace(/[\r\n]+/g, ' ');
        response.write(`id: ${event.id}\nevent: ${name}\ndata: ${JSON.stringify(event)}\n\n`);
      }
      clearInterval(heartbeat);
      response.end();
    })();
  };
}
