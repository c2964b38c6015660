/**
 * The in-process bus: envelopes events, holds and logs them, runs local rules and feeds streams.
 * Delivery is asynchronous as on AWS (publish never waits for a rule's target), but each rule gets
 * its events one at a time and in order, which keeps "record follows the channel" handlers simple.
 */
import { randomUUID } from 'node:crypto';
import { EventLog } from './event-log.js';
import { assertEventPattern, matchesEventPattern } from './event-pattern.js';
import type {
  EventBridgeEvent,
  EventHandler,
  EventPattern,
  JsonObject,
  PublishInput,
  SubscribeOptions,
} from './types.js';

export const DEFAULT_BUS = 'default';

interface Rule {
  pattern: EventPattern;
  handler: EventHandler;
  eventBusName: string | undefined;
  /** The tail of this rule's delivery chain. */
  queue: Promise<void>;
}

export interface EventBusOptions {
  dataDir: string;
  region: string;
  accountId: string;
  busNames: string[];
  retryDelaysMs: number[];
  log: (line: string) => void;
}

export class EventBus {
  readonly log: EventLog;
  readonly ready: Promise<void>;
  readonly busNames: ReadonlySet<string>;
  readonly createdAt = new Date();
  private readonly rules = new Set<Rule>();
  private readonly listeners = new Set<(event: EventBridgeEvent) => void>();
  private readonly closers = new Set<() => void>();
  private closed = false;

  constructor(private readonly options: EventBusOptions) {
    this.log = new EventLog(options.dataDir, options.log);
    this.ready = this.log.load();
    this.busNames = new Set([DEFAULT_BUS, ...options.busNames]);
  }

  arn(name = DEFAULT_BUS): string {
    return `arn:aws:events:${this.options.region}:${this.options.accountId}:event-bus/${name}`;
  }

  /** `name` or `arn:...:event-bus/name` → name. */
  busName(nameOrArn: string | undefined): string {
    if (!nameOrArn) return DEFAULT_BUS;
    const match = /^arn:aws[\w-]*:events:[^:]*:\d*:event-bus\/(.+)$/.exec(nameOrArn);
    return match?.[1] ?? nameOrArn;
  }

  subscribe<TDetail>(
    pattern: EventPattern,
    handler: EventHandler<TDetail>,
    options: SubscribeOptions = {},
  ): () => void {
    assertEventPattern(pattern);
    const rule: Rule = {
      pattern,
      // The caller's detail type is a claim about the events its pattern matches; nothing checks it.
      handler: handler as unknown as EventHandler,
      eventBusName: options.eventBusName === undefined ? undefined : this.busName(options.eventBusName),
      queue: Promise.resolve(),
    };
    this.rules.add(rule);
    return () => {
      this.rules.delete(rule);
    };
  }

  async publish(input: PublishInput): Promise<EventBridgeEvent> {
    await this.ready;
    if (this.closed) throw new Error('the local EventBridge is closed');
    const busName = this.busName(input.eventBusName);
    if (!this.busNames.has(busName)) throw new Error(`Event bus ${busName} does not exist.`);
    const event: EventBridgeEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': input.detailType,
      source: input.source,
      account: this.options.accountId,
      time: awsTime(input.time ?? new Date()),
      region: this.options.region,
      resources: [...(input.resources ?? [])],
      detail: JSON.parse(JSON.stringify(input.detail)) as JsonObject,
    };
    this.log.append(event);
    for (const listener of this.listeners) listener(event);
    for (const rule of this.rules) {
      if (rule.eventBusName !== undefined && rule.eventBusName !== busName) continue;
      if (!matchesEventPattern(rule.pattern, event)) continue;
      rule.queue = rule.queue.then(() => this.deliver(rule, event));
    }
    return event;
  }

  stream(sinceId?: string): AsyncIterableIterator<EventBridgeEvent> {
    // Live events are collected from now on; the backlog is read once the log is loaded, and an
    // event in both (published between the two) is given once.
    const queue: EventBridgeEvent[] = [];
    let backlogRead = sinceId === undefined;
    let wake: (() => void) | undefined;
    let done = this.closed;
    const listener = (event: EventBridgeEvent) => {
      queue.push(event);
      wake?.();
    };
    const finish = () => {
      done = true;
      this.listeners.delete(listener);
      this.closers.delete(finish);
      wake?.();
    };
    if (!done) {
      this.listeners.add(listener);
      this.closers.add(finish);
    }
    const iterator: AsyncIterableIterator<EventBridgeEvent> = {
      [Symbol.asyncIterator]: () => iterator,
      next: async () => {
        if (!backlogRead && sinceId !== undefined) {
          await this.ready;
          backlogRead = true;
          const backlog = this.log.after(sinceId);
          const seen = new Set(backlog.map((event) => event.id));
          const live = queue.splice(0).filter((event) => !seen.has(event.id));
          queue.push(...backlog, ...live);
        }
        while (queue.length === 0 && !done) {
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        const event = done ? undefined : queue.shift();
        return event ? { done: false, value: event } : { done: true, value: undefined };
      },
      return: async () => {
        finish();
        return { done: true, value: undefined };
      },
    };
    return iterator;
  }

  async idle(): Promise<void> {
    // A delivery may queue a retry, and a handler may publish: settle until nothing moved.
    for (;;) {
      const tails = [...this.rules].map((rule) => rule.queue);
      await Promise.all(tails);
      if ([...this.rules].every((rule, i) => rule.queue === tails[i])) return;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    // Ends streams and cuts short the pauses between retries.
    for (const finish of [...this.closers]) finish();
    await this.idle();
    await this.log.flush();
  }

  private async deliver(rule: Rule, event: EventBridgeEvent): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (!this.rules.has(rule) && attempt > 0) return;
      try {
        await rule.handler(event);
        return;
      } catch (error) {
        const pause = this.options.retryDelaysMs[attempt];
        const what = `${event['detail-type']} ${event.id}`;
        if (pause === undefined || this.closed) {
          this.options.log(`[events] a local rule failed on ${what}, dropping the event: ${describe(error)}`);
          return;
        }
        this.options.log(
          `[events] a local rule failed on ${what}, retrying in ${pause} ms: ${describe(error)}`,
        );
        if (!(await this.sleep(pause))) return;
      }
    }
  }

  /** False when the bus closed during the pause. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.closers.delete(cancel);
        resolve(true);
      }, ms);
      const cancel = () => {
        clearTimeout(timer);
        this.closers.delete(cancel);
        resolve(false);
      };
      this.closers.add(cancel);
    });
  }
}

/** EventBridge writes `time` to the second, in UTC: `2026-03-01T09:00:00Z`. */
export function awsTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
