import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { newCredentials } from '../../../../infra/local/aws-server/credentials.js';
import { serveAws } from '../../../../infra/local/aws-server/server.js';
import {
  createLocalEventBridge,
  type LocalEventBridge,
  type LocalEventBridgeOptions,
  sseHandler,
} from '../../../../infra/local/events/index.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const STREAM_BUS = 'live-streams';

export interface RunningBus {
  bus: LocalEventBridge;
  client: EventBridgeClient;
  url: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startLocalEvents(options: Partial<LocalEventBridgeOptions> = {}): Promise<RunningBus> {
  const logs: string[] = [];
  const bus = createLocalEventBridge({
    region: REGION,
    accountId: ACCOUNT,
    eventBusNames: [STREAM_BUS],
    log: (line) => logs.push(line),
    ...options,
  });
  const credentials = newCredentials();
  const served = await serveAws(bus.api, { port: 0, credentials });
  const client = new EventBridgeClient({ region: REGION, endpoint: served.url, credentials, maxAttempts: 1 });
  return {
    bus,
    client,
    url: served.url,
    logs,
    async stop() {
      client.destroy();
      await served.close();
      await bus.close();
    },
  };
}

/** An HTTP server whose only route is the bus's server-sent events, as the local API mounts it. */
export async function serveSse(
  bus: LocalEventBridge,
  heartbeatMs?: number,
): Promise<{ url: string; server: Server }> {
  const server = createServer(sseHandler(bus, heartbeatMs));
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
