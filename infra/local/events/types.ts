/**
 * Public contract of the local EventBridge (see README.md in this folder).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * An event as EventBridge delivers it to a rule's target (the envelope of the EventBridge User
 * Guide, "Amazon EventBridge events"). `TDetail` is the caller's view of `detail`; nothing checks it.
 */
export interface EventBridgeEvent<TDetail = JsonObject> {
  version: '0';
  /** A UUID; also the `id:` of the server-sent event and the `sinceId` of `stream()`. */
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 in UTC to the second, as AWS writes it: `2026-03-01T09:00:00Z`. */
  time: string;
  region: string;
  resources: string[];
  detail: TDetail;
}

/** A leaf matcher of the supported subset of EventBridge event patterns. */
export type EventPatternMatcher =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { 'anything-but': string | number | Array<string | number> | { prefix: string } }
  | { exists: boolean };

/**
 * An EventBridge event pattern: each field is a list of matchers (any may match) or a nested
 * pattern for an object field (`detail: { state: ['STOPPED'] }`). Every field must match.
 */
export interface EventPattern {
  [field: string]: EventPatternMatcher[] | EventPattern;
}

/** What an in-process producer (the local MediaLive, a test) publishes. */
export interface PublishInput {
  source: string;
  detailType: string;
  /** Any JSON-serialisable object; it crosses a JSON boundary like PutEvents' `Detail`. */
  detail: object;
  resources?: string[];
  /** @default now */
  time?: Date;
  /** Name or ARN. @default 'default' */
  eventBusName?: string;
}

export type EventHandler<TDetail = JsonObject> = (event: EventBridgeEvent<TDetail>) => Promise<void>;

export interface SubscribeOptions {
  /** Only events put on this bus (name or ARN); by default events of every bus, like a rule per bus. */
  eventBusName?: string;
}

export interface LocalEventBridgeOptions {
  /** The events log `events.jsonl` goes here (created if missing). */
  dataDir: string;
  /** @default 'us-east-1' */
  region?: string;
  /** @default '000000000000' */
  accountId?: string;
  /** Buses besides `default` that PutEvents accepts (e.g. the deployment's bus). */
  eventBusNames?: string[];
  /** Pauses before a failed handler is called again with the same event. @default [1000, 5000] */
  handlerRetryDelaysMs?: number[];
  log?: (line: string) => void;
}

export interface LocalEventBridge {
  /** Serves the EventBridge JSON protocol; `host` defaults to 127.0.0.1. */
  listen(port: number, host?: string): Promise<{ url: string }>;
  /** Stops serving, ends every stream and SSE response, waits for handlers and log writes. */
  close(): Promise<void>;
  /**
   * An in-process rule: `handler` receives every later event matching `pattern`, one event at a
   * time and in order. Throws at once if the pattern is outside the supported subset. Returns the
   * function that removes the rule.
   */
  subscribe<TDetail = JsonObject>(
    pattern: EventPattern,
    handler: EventHandler<TDetail>,
    options?: SubscribeOptions,
  ): () => void;
  /** Puts an event on the bus (any source, `aws.*` included) and answers its envelope. */
  publish(input: PublishInput): Promise<EventBridgeEvent>;
  /**
   * The events after `sinceId` still held (the last 1,000), then live ones until `return()` or
   * `close()`. Without `sinceId`, live events only; an id no longer held (or unknown) replays all held.
   */
  stream(sinceId?: string): AsyncIterableIterator<EventBridgeEvent>;
  /** `text/event-stream` of the bus, for a `GET /events` route (see `sseHandler`). */
  sseHandler: (request: IncomingMessage, response: ServerResponse) => void;
  /** `arn:aws:events:<region>:<account>:event-bus/<name>`. */
  eventBusArn(name?: string): string;
  /** Resolves when every handler call queued so far has settled (tests). */
  idle(): Promise<void>;
}
