/**
 * The one HTTP server of every local AWS endpoint. Before a request reaches a service it must
 * 1. name this server in its Host header with a loopback name (127.0.0.1, localhost, [::1]) and the
 *    server's port, so that no web page reaches it through DNS rebinding, and
 * 2. carry an AWS Signature V4 by local mode's key pair (see sigv4.ts), checked against the body.
 * Refusals are AWS-shaped errors (403) in the service's own protocol.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError, errorReply, type Protocol, type Reply } from './aws-error.js';
import type { LocalCredentials } from './credentials.js';
import { AuthFailure, checkSignature, isHexHash, readSignature, sha256Hex } from './sigv4.js';

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

/** A service that answers requests itself, or an existing server (dynalite, s3rver) it hands them to. */
export type AwsApi = { protocol(request: IncomingMessage): Protocol } & (
  | { handle(request: AwsRequest): Promise<Reply> }
  | { forward(request: IncomingMessage, response: ServerResponse): void }
);

export interface ServeOptions {
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  credentials: LocalCredentials;
  log?: (line: string) => void;
}

export interface Served {
  url: string;
  close(): Promise<void>;
}

/** Largest body read into memory; S3 bodies sent UNSIGNED-PAYLOAD or streaming are never read here. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];
/** The error codes AWS answers an unauthenticated request with: JSON and REST services, and S3. */
const REFUSALS: Record<string, readonly [string, string]> = {
  missing: ['MissingAuthenticationTokenException', 'AccessDenied'],
  key: ['UnrecognizedClientException', 'InvalidAccessKeyId'],
  signature: ['InvalidSignatureException', 'SignatureDoesNotMatch'],
  time: ['InvalidSignatureException', 'AccessDenied'],
  host: ['AccessDeniedException', 'AccessDenied'],
};

/** Serves `api` on `server` (a new one by default) behind the Host and signature checks. */
export async function serveAws(
  api: AwsApi,
  options: ServeOptions,
  server: Server = createServer(),
): Promise<Served> {
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const requestId = randomUUID();
    answer(api, options.credentials, (server.address() as AddressInfo).port, request, response).then(
      (reply) => reply && send(response, reply, requestId),
      (error: unknown) => {
        if (!(error instanceof AwsError))
          (options.log ?? console.error)(`${request.url} failed: ${String(error)}`);
        const known =
          error instanceof AwsError ? error : new AwsError('InternalFailure', 'See the local log.', 500);
        send(response, errorReply(api.protocol(request), known, requestId), requestId);
      },
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) =>
    server.once('error', reject).listen(options.port, host, resolve),
  );
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // SDK clients keep connections alive; without this close() waits for them to time out.
        server.closeAllConnections();
      }),
  };
}

async function answer(
  api: AwsApi,
  credentials: LocalCredentials,
  port: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<Reply | undefined> {
  const s3 = api.protocol(request) === 's3';
  const incoming = { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers };
  let body: Buffer | undefined;
  let service: string;
  try {
    if (!LOOPBACK.some((name) => request.headers.host?.toLowerCase() === `${name}:${port}`)) {
      throw new AuthFailure('host', `Host ${request.headers.host} is not this local endpoint.`);
    }
    const signature = readSignature(incoming);
    // Read only when needed: to hash it, or because the service reads it anyway.
    if ('handle' in api || !signature.payload || isHexHash(signature.payload))
      body = await readBody(request, s3);
    const hash = body && sha256Hex(body);
    if (isHexHash(signature.payload) && signature.payload !== hash) {
      throw new AuthFailure('signature', 'The body does not match its x-amz-content-sha256.');
    }
    checkSignature(incoming, signature, signature.payload ?? hash ?? '', credentials);
    service = signature.service;
  } catch (error) {
    if (!(error instanceof AuthFailure)) throw error;
    const [aws, s3Code] = REFUSALS[error.reason] ?? [];
    throw new AwsError((s3 ? s3Code : aws) ?? 'AccessDenied', error.message, 403);
  }
  if ('forward' in api) return void api.forward(body ? replay(request, body) : request, response);
  let target: URL;
  try {
    target = new URL(incoming.url, 'http://local');
  } catch {
    // `//`, signed or not, names no operation: a client error, not an internal one.
    throw new AwsError('UnknownOperationException', 'The request target is not a valid path.');
  }
  const { pathname: path, searchParams: query } = target;
  const { method, headers } = incoming;
  return api.handle({ method, path, query, headers, body: body ?? Buffer.alloc(0), service });
}

async function readBody(request: IncomingMessage, s3: boolean): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  const code = s3 ? 'EntityTooLarge' : 'RequestEntityTooLarge';
  if (size > MAX_BODY_BYTES) throw new AwsError(code, `The body is over ${MAX_BODY_BYTES} bytes.`, 413);
  return Buffer.concat(chunks);
}

/** The request again with its body already read, for a server that reads the body itself. */
function replay(request: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(request.socket);
  const { method, url, headers, rawHeaders, httpVersion, httpVersionMajor, httpVersionMinor } = request;
  // `complete`: else the copy counts as aborted once read, and takes the client's socket down with it.
  Object.assign(copy, { method, url, headers, rawHeaders, complete: true });
  Object.assign(copy, { httpVersion, httpVersionMajor, httpVersionMinor });
  copy.push(body);
  copy.push(null);
  return copy;
}

function send(response: ServerResponse, reply: Reply, requestId: string): void {
  if (response.headersSent) return void response.destroy();
  const body = reply.body ?? '';
  response.writeHead(reply.status, {
    ...reply.headers,
    'x-amzn-requestid': requestId,
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}
