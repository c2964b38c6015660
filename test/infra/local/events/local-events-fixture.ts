import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  createLocalEventBridge,
  type LocalEventBridge,
  type LocalEventBridgeOptions,
  type SseOptions,
  sseHandler,
} from '../../../../infra/local/events/index.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const STREAM_BUS = 'live-streams';

const dataDirs: string[] = [];

export async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'local-events-'));
  dataDirs.push(dir);
  return dir;
}

export async function removeDataDirs(): Promise<void> {
  await Promise.all(dataDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface RunningBus {
  bus: LocalEventBridge;
  client: EventBridgeClient;
  url: string;
  dataDir: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startLocalEvents(options: Partial<LocalEventBridgeOptions> = {}): Promise<RunningBus> {
  const dataDir = options.dataDir ?? (await newDataDir());
  const logs: string[] = [];
  const bus = createLocalEventBridge({
    region: REGION,
    accountId: ACCOUNT,
    eventBusNames: [STREAM_BUS],
    log: (line) => logs.push(line),
    ...options,
    dataDir,
  });
  const { url } = await bus.listen(0);
  const client = new EventBridgeClient({
    region: REGION,
    endpoint: url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    bus,
    client,
    url,
    dataDir,
    logs,
    async stop() {
      client.destroy();
      await bus.close();
    },
  };
}

/**
 * An HTTP server whose only route is the bus's server-sent events, as the local API mounts it:
 * the bus's own `sseHandler`, or `sseHandler(bus, options)` when options are given.
 */
export async function serveSse(
  bus: LocalEventBridge,
  options?: SseOptions,
): Promise<{ url: string; server: Server }> {
  const handler = options ? sseHandler(bus, options) : bus.sseHandler;
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/events`, server };
}

export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

/** A minimal EventSource: collects messages and comment lines of one response. */
export class SseReader {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  response: IncomingMessage | undefined;
  private buffer = '';
  private waiters: Array<() => void> = [];
  private request: ReturnType<typeof get> | undefined;

  open(url: string, headers: Record<string, string> = {}): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      this.request = get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
        this.response = response;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => this.feed(chunk));
        response.on('end', () => this.notify());
        resolve(response);
      });
      this.request.on('error', reject);
    });
  }

  /** Resolves once `count` messages have arrived. */
  async waitForMessages(count: number, timeoutMs = 5000): Promise<SseMessage[]> {
    await this.waitUntil(() => this.messages.length >= count, timeoutMs, `${count} messages`);
    return this.messages.slice(0, count);
  }

  async waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.request?.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    for (let end = this.buffer.indexOf('\n\n'); end !== -1; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: SseMessage = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) message.id = line.slice(4);
        else if (line.startsWith('event: ')) message.event = line.slice(7);
        else if (line.startsWith('data: ')) message.data = line.slice(6);
      }
      if (message.data !== undefined) this.messages.push(message);
    }
    this.notify();
  }

  private notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}
