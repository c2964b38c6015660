/**
 * Server-sent events of a bus (`GET /events` on the local API): one message per event, `id:` the
 * event id, `event:` its detail-type, `data:` the envelope as JSON on one line. A reconnecting
 * EventSource sends `Last-Event-ID` and gets what it missed first; curl users can pass `?since=<id>`
 * (any unknown id, e.g. `since=0`, replays every held event).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventBridgeEvent, LocalEventBridge } from './types.js';

/** Proxies and browsers drop idle connections; a comment line every 15 s keeps them open. */
export const HEARTBEAT_MS = 15_000;

export interface SseOptions {
  /** @default 15000 */
  heartbeatMs?: number;
}

export function sseHandler(
  bus: Pick<LocalEventBridge, 'stream'>,
  options: SseOptions = {},
): (request: IncomingMessage, response: ServerResponse) => void {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  return (request, response) => {
    const events = bus.stream(resumeFrom(request));
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
    let closed = false;
    const cleanup = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      void events.return?.();
    };
    response.on('close', cleanup);
    (async () => {
      for await (const event of events) {
        if (closed) break;
        if (!response.write(frame(event))) await drained(response);
      }
      cleanup();
      if (!response.writableEnded) response.end();
    })().catch(() => {
      cleanup();
      response.destroy();
    });
  };
}

function resumeFrom(request: IncomingMessage): string | undefined {
  const header = request.headers['last-event-id'];
  if (typeof header === 'string' && header !== '') return header;
  const since = new URL(request.url ?? '/', 'http://localhost').searchParams.get('since');
  return since === null || since === '' ? undefined : since;
}

function frame(event: EventBridgeEvent): string {
  // A line break would end the field early; detail-types are free text.
  const name = event['detail-type'].replace(/[\r\n]+/g, ' ');
  return `id: ${event.id}\nevent: ${name}\ndata: ${JSON.stringify(event)}\n\n`;
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
