import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { EventsApiError } from './api-errors.js';

/** `X-Amz-Target: AWSEvents.<Operation>` (the model's targetPrefix). */
const TARGET_PREFIX = 'AWSEvents.';
/** PutEvents takes at most 256 KiB of entries; the margin covers JSON escaping. */
const MAX_BODY_BYTES = 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export type RequestBody = Record<string, unknown>;
export type Operation = (body: RequestBody) => Promise<object>;

/**
 * AWS JSON 1.1 over HTTP: POST with the operation in X-Amz-Target and the input as a JSON object;
 * errors are HTTP 400 with `{"__type", "message"}`. Requests are not authenticated (local only).
 */
export function createJsonProtocolServer(
  operations: Record<string, Operation>,
  log: (line: string) => void,
): Server {
  return createServer((request, response) => {
    handle(operations, request, response).catch((error: unknown) => {
      log(`[events] request failed: ${String(error)}`);
      send(response, 500, {
        __type: 'InternalException',
        message: 'internal error in the local EventBridge',
      });
    });
  });
}

async function handle(
  operations: Record<string, Operation>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const raw = await readBody(request);
  if (request.method !== 'POST') {
    send(response, 405, { __type: 'UnknownOperationException', message: 'EventBridge accepts POST only' });
    return;
  }
  if (raw === undefined) {
    send(response, 413, {
      __type: 'ValidationException',
      message: `request body larger than ${MAX_BODY_BYTES} bytes`,
    });
    return;
  }
  const target = request.headers['x-amz-target'];
  const name =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
  if (!operation) {
    send(response, 400, {
      __type: 'UnknownOperationException',
      message: `unknown operation ${String(target)}`,
    });
    return;
  }
  let body: unknown;
  try {
    body = raw.length === 0 ? {} : JSON.parse(raw);
  } catch {
    send(response, 400, { __type: 'SerializationException', message: 'request body is not valid JSON' });
    return;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    send(response, 400, { __type: 'SerializationException', message: 'request body must be a JSON object' });
    return;
  }
  try {
    send(response, 200, await operation(body as RequestBody));
  } catch (error) {
    if (!(error instanceof EventsApiError)) throw error;
    send(response, error.httpStatus, { __type: error.code, message: error.message }, error.code);
  }
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
    'Content-Type': CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...(errorType && { 'x-amzn-ErrorType': errorType }),
  });
  response.end(text);
}
