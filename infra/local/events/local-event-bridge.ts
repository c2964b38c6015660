import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBus } from './event-bus.js';
import { eventsOperations } from './events-api.js';
import { createJsonProtocolServer } from './json-protocol-server.js';
import { sseHandler } from './sse-handler.js';
import type { LocalEventBridge, LocalEventBridgeOptions } from './types.js';

const DEFAULT_RETRY_DELAYS_MS = [1000, 5000];

/**
 * The local EventBridge: PutEvents (and the bus look-ups of the AWS CLI) over the EventBridge JSON
 * protocol, rules as in-process subscriptions, events held in memory and logged under `dataDir`.
 */
export function createLocalEventBridge(opts: LocalEventBridgeOptions): LocalEventBridge {
  const log = opts.log ?? ((line: string) => console.log(line));
  const bus = new EventBus({
    dataDir: opts.dataDir,
    region: opts.region ?? 'us-east-1',
    accountId: opts.accountId ?? '000000000000',
    busNames: opts.eventBusNames ?? [],
    retryDelaysMs: opts.handlerRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    log,
  });
  let server: Server | undefined;

  const bridge: LocalEventBridge = {
    async listen(port, host = '127.0.0.1') {
      await bus.ready;
      const listening = createJsonProtocolServer(eventsOperations(bus), log);
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, host, () => {
          listening.off('error', reject);
          resolve();
        });
      });
      server = listening;
      const { port: actual } = listening.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      return { url: `http://${urlHost}:${actual}` };
    },

    async close() {
      const closing = server;
      server = undefined;
      if (closing) {
        const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
        // SDK clients keep connections alive; without this close() waits for them to time out.
        closing.closeAllConnections();
        await closed;
      }
      await bus.close();
    },

    subscribe: (pattern, handler, options) => bus.subscribe(pattern, handler, options),
    publish: (input) => bus.publish(input),
    stream: (sinceId) => bus.stream(sinceId),
    sseHandler: (request, response) => sseHandler(bridge)(request, response),
    eventBusArn: (name) => bus.arn(name),
    idle: () => bus.idle(),
  };
  return bridge;
}
