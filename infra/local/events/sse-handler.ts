/**
 * Server-sent events of the local EventBridge (`GET /events` on the local API): one message per
 * event, `id:` the event id, `event:` its detail-type, `data:` the envelope as JSON on one line. A
 * reconnecting EventSource sends `Last-Event-ID` and first gets what it missed; `?since=<id>` does
 * the same by hand (an id no longer held, e.g. `since=0`, replays every held event).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalEventBridge } from './local-event-bridge.js';

/** Proxies and browsers drop idle connections; a comment line every 15 s keeps them open. */
export const HEARTBEAT_MS = 15_000;

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
