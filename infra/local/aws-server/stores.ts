/**
 * dynalite (DynamoDB) and s3rver (S3) behind the same Host and signature checks as the other local
 * endpoints: their own request handlers get only requests signed with the local key pair. Neither
 * checks signatures itself (s3rver accepts anonymous requests and does not verify V4 signatures).
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { AwsError, errorReply } from './aws-error.js';
import { type Served, type ServeOptions, serveAws } from './server.js';

/** dynalite on `options.port`; `path` persists the tables (in memory without it). */
export function serveDynalite(options: ServeOptions & { path?: string }): Promise<Served> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.path });
  // dynalite's own server, so that closing it still closes its database; only its handler is wrapped.
  const [handler] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  return serveAws(
    { protocol: () => 'json-1.0', forward: (req, res) => handler?.(req, res) },
    options,
    server,
  );
}

/** s3rver on `options.port` with `buckets` created, its objects under `directory`. */
export async function serveS3rver(
  options: ServeOptions & { directory: string; buckets: string[]; cors?: boolean },
): Promise<Served> {
  // A bucket CORS configuration letting any page GET what it holds a valid signature for.
  const cors =
    '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod>' +
    '<AllowedMethod>HEAD</AllowedMethod><MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule></CORSConfiguration>';
  const configureBuckets = options.buckets.map((name) => ({ name, configs: options.cors ? [cors] : [] }));
  const s3rver = new S3rver({ directory: options.directory, silent: true, configureBuckets });
  await s3rver.configureBuckets();
  // s3rver refuses access key ids it does not know (InvalidAccessKeyId), knowing only its built-in
  // `S3RVER`: the local pair joins its registry. The signature is checked before s3rver sees it.
  const accounts = createRequire(import.meta.url)('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
  };
  accounts.DUMMY_ACCOUNT.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);
  const callback = s3rver.callback();
  const store = (
    s3rver as unknown as { store: { existsObject(bucket: string, key: string): Promise<boolean> } }
  ).store;
  return serveAws({ protocol: () => 's3', forward: fileSafe(conditionalWrites(callback, store)) }, options);
}

const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** `text` percent-decoded, or undefined when it is not valid percent-encoding. */
function decoded(text: string, decode: (text: string) => string = decodeURIComponent): string | undefined {
  try {
    return decode(text);
  } catch {
    return undefined;
  }
}

/**
 * s3rver keeps a bucket as a directory and a key as a path under it, joined as sent: a `..` segment
 * in a bucket, key or copy source, or an upload id naming a path, would reach (write, read, delete
 * recursively) files outside its directory. Such requests, and percent-encoding s3rver cannot
 * decode, are refused with 400 before s3rver sees them; an upload id s3rver never issued is 404.
 */
function fileSafe(forward: RequestListener): RequestListener {
  return (request, response) => {
    // The path as sent: URL parsing would resolve the very `..` segments looked for.
    const [path = '', query = ''] = (request.url ?? '/').split(/\?(.*)/s);
    const copySource = request.headers['x-amz-copy-source'];
    const paths = [decoded(path)];
    if (typeof copySource === 'string') paths.push(decoded(copySource.split('?')[0] ?? '', decodeURI));
    const uploadId = new URLSearchParams(query).get('uploadId');
    if (paths.some((p) => p === undefined)) {
      return refuse(request, response, 'InvalidURI', "Couldn't parse the specified URI.");
    }
    if (paths.some((p) => p?.split('/').some((segment) => segment === '.' || segment === '..'))) {
      const message = "Local mode's S3 refuses . and .. as bucket or key path segments.";
      return refuse(request, response, 'InvalidArgument', message);
    }
    if (uploadId !== null && !UPLOAD_ID.test(uploadId)) {
      return refuse(request, response, 'NoSuchUpload', 'The specified upload does not exist.', 404);
    }
    forward(request, response);
  };
}

/** Answers S3's XML error in s3rver's place; the body of the request is read and dropped. */
function refuse(
  request: IncomingMessage,
  response: ServerResponse,
  code: string,
  message: string,
  status = 400,
): void {
  const requestId = randomUUID();
  const reply = errorReply('s3', new AwsError(code, message, status), requestId);
  request.resume();
  response.writeHead(reply.status, {
    ...reply.headers,
    'x-amz-request-id': requestId,
    'content-length': String(Buffer.byteLength(reply.body ?? '')),
  });
  response.end(reply.body);
}

/**
 * S3's conditional write, which s3rver ignores: a PUT with `If-None-Match: *` of a key that exists
 * is refused with 412 PreconditionFailed (S3 API reference, PutObject). Path-style requests only,
 * as local mode's clients send them.
 */
function conditionalWrites(
  forward: RequestListener,
  store: { existsObject(bucket: string, key: string): Promise<boolean> },
): RequestListener {
  return (request, response) => {
    if (request.method !== 'PUT' || request.headers['if-none-match'] !== '*')
      return forward(request, response);
    const [, bucket = '', ...key] = (request.url ?? '/').split('?')[0]?.split('/') ?? [];
    store.existsObject(bucket, decoded(key.join('/')) ?? key.join('/')).then(
      (exists) => {
        if (!exists) return forward(request, response);
        const message = 'At least one of the pre-conditions you specified did not hold';
        refuse(request, response, 'PreconditionFailed', message, 412);
      },
      () => forward(request, response),
    );
  };
}
