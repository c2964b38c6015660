/**
 * The one HTTP server of every local AWS endpoint. Before a request reaches a service it must
 * 1. name this server in its Host header with a loopback name (127.0.0.1, localhost, [::1]) and the
 *    server's port, so a web page cannot reach it through DNS rebinding, and
 * 2. carry an AWS Signature V4 by local mode's key pair (see sigv4.ts), checked against the body.
 * Refusals are AWS-shaped errors (403) in the service's own protocol.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError, errorReply, type Protocol, type Reply } from './aws-error.js';
import type { LocalCredentials } from './credentials.js';
import {
  AuthFailure,
  type AuthReason,
  checkSignature,
  isHexHash,
  readAuthorization,
  sha256Hex,
} from './sigv4.js';

export interface AwsRequest {
  method: string;
  /** The path as sent (percent-encoded), e.g. `/prod/channels/1234567`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The service of the credential scope (`medialive`, `s3`, ...). */
  service: string;
}

/** A service answering requests itself. */
export interface AwsApi {
  /** How errors are written for this request (also before it is authenticated). */
  protocol(request: IncomingMessage): Protocol;
  handle(request: AwsRequest): Promise<Reply>;
}

/** An existing server (dynalite, s3rver) that gets the authenticated request as it arrived. */
export interface AwsPassthrough {
  protocol(request: IncomingMessage): Protocol;
  forward(request: IncomingMessage, response: ServerResponse): void;
}

export interface ServeOptions {
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  credentials: LocalCredentials;
  log?: (line: string) => void;
  /** Largest body read into memory. @default 16 MiB */
  maxBodyBytes?: number;
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

const AUTH_CODES: Record<AuthReason, { aws: string; s3: string }> = {
  missing: { aws: 'MissingAuthenticationTokenException', s3: 'AccessDenied' },
  key: { aws: 'UnrecognizedClientException', s3: 'InvalidAccessKeyId' },
  signature: { aws: 'InvalidSignatureException', s3: 'SignatureDoesNotMatch' },
  time: { aws: 'InvalidSignatureException', s3: 'AccessDenied' },
};

/** Serves `target` on `server` (a new one by default) behind the Host and signature checks. */
export async function serveAws(
  target: AwsApi | AwsPassthrough,
  options: ServeOptions,
  server: Server = createServer(),
): Promise<Served> {
  const log = options.log ?? ((line: string) => console.error(line));
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID();
    const port = (server.address() as AddressInfo).port;
    answer(target, options, port, request, response).catch((error: unknown) => {
      const known =
        error instanceof AwsError
          ? error
          : new AwsError('InternalFailure', 'The local service failed; see its log.', 500);
      if (!(error instanceof AwsError)) log(`${request.method} ${request.url} failed: ${String(error)}`);
      send(response, errorReply(target.protocol(request), known, requestId), requestId);
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

async function answer(
  target: AwsApi | AwsPassthrough,
  options: ServeOptions,
  port: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const s3 = target.protocol(request) === 's3';
  const host = (request.headers.host ?? '').toLowerCase();
  if (!LOOPBACK_NAMES.some((name) => host === `${name}:${port}`)) {
    throw new AwsError(
      s3 ? 'AccessDenied' : 'AccessDeniedException',
      `Host ${host} is not this local endpoint.`,
      403,
    );
  }
  const signed = { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers };
  let body: Buffer | undefined;
  let service: string;
  try {
    const auth = readAuthorization(signed);
    const declared = auth.declaredPayload;
    // The body is read only when needed: to hash it, or because the service reads it anyway.
    if ('handle' in target || declared === undefined || isHexHash(declared)) {
      body = await readBody(request, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, s3);
    }
    const actual = body === undefined ? undefined : sha256Hex(body);
    if (isHexHash(declared) && declared !== actual) {
      throw new AuthFailure('signature', 'The body does not match its x-amz-content-sha256.');
    }
    checkSignature(signed, auth, declared ?? actual ?? '', options.credentials);
    service = auth.service;
  } catch (error) {
    if (!(error instanceof AuthFailure)) throw error;
    throw new AwsError(AUTH_CODES[error.reason][s3 ? 's3' : 'aws'], error.message, 403);
  }
  if ('forward' in target) {
    target.forward(body === undefined ? request : replay(request, body), response);
    return;
  }
  const url = new URL(signed.url, 'http://local');
  const requestId = randomUUID();
  const reply = await target.handle({
    method: signed.method,
    path: url.pathname,
    query: url.searchParams,
    headers: request.headers,
    body: body ?? Buffer.alloc(0),
    service,
  });
  send(response, reply, requestId);
}

function readBody(request: IncomingMessage, maxBytes: number, s3: boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size <= maxBytes) resolve(Buffer.concat(chunks));
      else
        reject(
          new AwsError(
            s3 ? 'EntityTooLarge' : 'RequestEntityTooLarge',
            `The body is over ${maxBytes} bytes.`,
            s3 ? 400 : 413,
          ),
        );
    });
    request.on('error', reject);
  });
}

/** The request again, its body already read, for a server that reads the body itself. */
function replay(request: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(request.socket);
  Object.assign(copy, {
    method: request.method,
    url: request.url,
    headers: request.headers,
    rawHeaders: request.rawHeaders,
    httpVersion: request.httpVersion,
    httpVersionMajor: request.httpVersionMajor,
    httpVersionMinor: request.httpVersionMinor,
    // Without it, the copy counts as aborted once read and takes the client's socket down with it.
    complete: true,
  });
  copy.push(body);
  copy.push(null);
  return copy;
}

function send(response: ServerResponse, reply: Reply, requestId: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = reply.body ?? '';
  response.writeHead(reply.status, {
    ...reply.headers,
    'x-amzn-requestid': requestId,
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}
