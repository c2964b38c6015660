/**
 * The AWS JSON protocol (1.0 and 1.1) over HTTP, shared by the local endpoints that speak it (Step
 * Functions, EventBridge): POST with the operation in `X-Amz-Target` and the input as a JSON object;
 * errors are `{"__type", "message"}` with the status the service uses. Requests are not
 * authenticated (local only).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type RequestBody = Record<string, unknown>;
export type Operation = (body: RequestBody) => Promise<object>;

/** An error the service answers as-is; `code` is the model's shape name, which the SDK maps to its class. */
export class AwsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
  }
}

export interface AwsJsonServerOptions {
  /** For messages: "Step Functions", "EventBridge". */
  service: string;
  /** The model's targetPrefix with its dot, e.g. `AWSStepFunctions.` */
  targetPrefix: string;
  contentType: 'application/x-amz-json-1.0' | 'application/x-amz-json-1.1';
  maxBodyBytes: number;
  /** `__type` of an unexpected failure (the service's own internal error shape). */
  internalErrorType: string;
  operations: Record<string, Operation>;
  log: (line: string) => void;
}

export function createAwsJsonServer(options: AwsJsonServerOptions): Server {
  return createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      options.log(`request failed: ${String(error)}`);
      send(options, response, 500, {
        __type: options.internalErrorType,
        message: `internal error in the local ${options.service}`,
      });
    });
  });
}

async function handle(
  options: AwsJsonServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'POST') {
    request.resume();
    send(options, response, 405, {
      __type: 'UnknownOperationException',
      message: `${options.service} accepts POST only`,
    });
    return;
  }
  const target = request.headers['x-amz-target'];
  const name =
    typeof target === 'string' && target.startsWith(options.targetPrefix)
      ? target.slice(options.targetPrefix.length)
      : '';
  const operation = Object.hasOwn(options.operations, name) ? options.operations[name] : undefined;
  const raw = await readBody(request, options.maxBodyBytes);
  if (raw === undefined) {
    send(options, response, 413, {
      __type: 'ValidationException',
      message: `request body larger than ${options.maxBodyBytes} bytes`,
    });
    return;
  }
  if (!operation) {
    send(options, response, 400, {
      __type: 'UnknownOperationException',
      message: `unknown operation ${String(target)}`,
    });
    return;
  }
  let body: unknown;
  try {
    body = raw.length === 0 ? {} : JSON.parse(raw);
  } catch {
    send(options, response, 400, {
      __type: 'SerializationException',
      message: 'request body is not valid JSON',
    });
    return;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    send(options, response, 400, {
      __type: 'SerializationException',
      message: 'request body must be a JSON object',
    });
    return;
  }
  try {
    send(options, response, 200, await operation(body as RequestBody));
  } catch (error) {
    if (!(error instanceof AwsApiError)) throw error;
    send(options, response, error.httpStatus, { __type: error.code, message: error.message }, error.code);
  }
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(
  options: AwsJsonServerOptions,
  response: ServerResponse,
  status: number,
  body: object,
  errorType?: string,
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': options.contentType,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...(errorType && { 'x-amzn-ErrorType': errorType }),
  });
  response.end(text);
}
