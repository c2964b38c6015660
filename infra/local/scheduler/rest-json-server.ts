/**
 * The Scheduler's REST-JSON protocol over HTTP: the operation is the method and path of the
 * model's `requestUri`, members travel in the path, the query string and a JSON body; errors carry
 * the model's status code, `x-amzn-ErrorType` and `{"Message"}`. Requests are not authenticated.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SchedulerApiError } from './api-errors.js';
import type { RequestBody } from './request-fields.js';
import type { ApiRequest } from './scheduler-service.js';

/** The largest request is a CreateSchedule with a target input (256 KiB on AWS) plus the rest. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface Route {
  /** The operation name, for logs. */
  operation: string;
  method: string;
  /** The model's requestUri, e.g. `/schedules/{Name}`. */
  path: string;
  handler: (request: ApiRequest) => object;
}

export function createRestJsonServer(routes: readonly Route[], log: (line: string) => void): Server {
  return createServer((request, response) => {
    handle(routes, request, response).catch((error: unknown) => {
      log(`[scheduler] request failed: ${String(error)}`);
      send(response, 500, { Message: 'internal error in the local scheduler' }, 'InternalServerException');
    });
  });
}

async function handle(
  routes: readonly Route[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const raw = await readBody(request);
  const url = new URL(request.url ?? '/', 'http://localhost');
  const found = matchRoute(routes, request.method ?? 'GET', url.pathname);
  if (!found) {
    send(
      response,
      404,
      { Message: `no operation for ${request.method} ${url.pathname}` },
      'UnknownOperationException',
    );
    return;
  }
  if (raw === undefined) {
    send(
      response,
      413,
      { Message: `request body larger than ${MAX_BODY_BYTES} bytes` },
      'ValidationException',
    );
    return;
  }
  let body: unknown;
  try {
    body = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    send(response, 400, { Message: 'The request body is not valid JSON.' }, 'ValidationException');
    return;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    send(response, 400, { Message: 'The request body must be a JSON object.' }, 'ValidationException');
    return;
  }
  try {
    send(
      response,
      200,
      found.route.handler({ params: found.params, query: url.searchParams, body: body as RequestBody }),
    );
  } catch (error) {
    if (!(error instanceof SchedulerApiError)) throw error;
    send(response, error.httpStatus, { Message: error.message }, error.code);
  }
}

function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.path.split('/');
    if (template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matched = template.every((part, i) => {
      const actual = segments[i] ?? '';
      if (!part.startsWith('{')) return part === actual;
      if (actual === '') return false;
      try {
        params[part.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        return false;
      }
      return true;
    });
    if (matched) return { route, params };
  }
  return undefined;
}

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: object, errorType?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...(errorType && { 'x-amzn-ErrorType': errorType }),
  });
  response.end(text);
}
