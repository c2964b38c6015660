/**
 * AWS Signature Version 4, checked the way AWS checks it: the canonical request is rebuilt from what
 * arrived and signed again with the local secret ("Create a signed AWS API request", IAM user
 * guide), from the Authorization header or, for S3 presigned URLs, the X-Amz-* query parameters.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { LocalCredentials } from './credentials.js';

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** "Signing AWS API requests": a request more than 15 minutes from the server's clock is refused. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** S3 presigned URLs are valid at most 7 days ("Authenticating requests: query parameters"). */
const MAX_PRESIGNED_SECONDS = 604_800;

export class AuthFailure extends Error {
  constructor(
    readonly reason: 'missing' | 'key' | 'signature' | 'time' | 'host',
    message: string,
  ) {
    super(message);
  }
}

type Signature = ReturnType<typeof readSignature>;
type Incoming = { method: string; url: string; headers: IncomingHttpHeaders };

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
export const isHexHash = (value: string | undefined): value is string => /^[0-9a-f]{64}$/.test(value ?? '');

/** The request's credential, scope and signature; AuthFailure when missing or malformed. */
export function readSignature({ url, headers }: Incoming) {
  const query = new URLSearchParams(url.split('?')[1] ?? '');
  const header = headers.authorization;
  const presigned = header === undefined && query.get('X-Amz-Algorithm') === ALGORITHM;
  const fields: Record<string, string | undefined> = presigned
    ? {
        Credential: query.get('X-Amz-Credential') ?? undefined,
        SignedHeaders: query.get('X-Amz-SignedHeaders') ?? undefined,
        Signature: query.get('X-Amz-Signature') ?? undefined,
      }
    : Object.fromEntries(
        (header?.startsWith(`${ALGORITHM} `) ? header.slice(ALGORITHM.length + 1).split(',') : []).map(
          (part) => part.trim().split('='),
        ),
      );
  const [accessKeyId = '', date, region, service = '', end] = (fields.Credential ?? '').split('/');
  const signedHeaders = (fields.SignedHeaders ?? '').split(';');
  if (!date || !region || end !== 'aws4_request' || !signedHeaders.includes('host') || !fields.Signature) {
    throw new AuthFailure('missing', `Request is missing Authentication Token: sign it with ${ALGORITHM}.`);
  }
  const amzDate = (presigned ? query.get('X-Amz-Date') : headers['x-amz-date']) ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(String(amzDate)) || String(amzDate).slice(0, 8) !== date) {
    throw new AuthFailure('time', 'X-Amz-Date is missing or does not match the credential scope.');
  }
  const expires = presigned ? Number(query.get('X-Amz-Expires')) : undefined;
  if (
    expires !== undefined &&
    !(Number.isInteger(expires) && expires > 0 && expires <= MAX_PRESIGNED_SECONDS)
  ) {
    throw new AuthFailure('missing', `X-Amz-Expires must be 1 to ${MAX_PRESIGNED_SECONDS} seconds.`);
  }
  const declared = headers['x-amz-content-sha256'];
  return {
    accessKeyId,
    scope: `${date}/${region}/${service}/aws4_request`,
    service,
    signedHeaders,
    signature: fields.Signature,
    amzDate: String(amzDate),
    /** Seconds a presigned URL stays valid; undefined for the Authorization header. */
    expires,
    /** As declared: a hex SHA-256, `UNSIGNED-PAYLOAD` or S3's `STREAMING-…`; undefined: hash the body. */
    // S3 signs presigned URLs with UNSIGNED-PAYLOAD unless the URL names another.
    payload: presigned
      ? (query.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD')
      : (declared as string | undefined),
  };
}

/** Throws AuthFailure unless `signature` signs the request, with `payloadHash`, by `credentials`, now. */
export function checkSignature(
  request: Incoming,
  signature: Signature,
  payloadHash: string,
  credentials: LocalCredentials,
  now = Date.now(),
): void {
  if (signature.accessKeyId !== credentials.accessKeyId) {
    throw new AuthFailure(
      'key',
      'The security token included in the request is invalid (not the local key pair).',
    );
  }
  const signedAt = Date.parse(
    signature.amzDate.replace(/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (signedAt - now > MAX_SKEW_MS || (signature.expires === undefined && now - signedAt > MAX_SKEW_MS)) {
    throw new AuthFailure(
      'time',
      'Signature expired: the request time is over 15 minutes from the server time.',
    );
  }
  if (signature.expires !== undefined && now > signedAt + signature.expires * 1000) {
    throw new AuthFailure('time', 'Request has expired.');
  }
  const [path = '/', query = ''] = request.url.split(/\?(.*)/s);
  const canonical = [
    request.method,
    // S3 signs the path as sent; the other services sign it normalized and encoded once more.
    signature.service === 's3' ? path : canonicalPath(path),
    canonicalQuery(query, signature.expires !== undefined),
    ...signature.signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}`),
    '',
    signature.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  let key: Buffer = Buffer.from(`AWS4${credentials.secretAccessKey}`);
  for (const part of signature.scope.split('/')) key = hmac(key, part);
  const stringToSign = [ALGORITHM, signature.amzDate, signature.scope, sha256Hex(canonical)].join('\n');
  const given = Buffer.from(signature.signature, 'hex');
  const expected = hmac(key, stringToSign);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AuthFailure(
      'signature',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
}

const hmac = (key: Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986: everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded. */
const uriEncode = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not percent-encoding: it can only match if the client signed it as is too.
    return text;
  }
};

function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(uriEncode(segment));
  }
  return `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
}

function canonicalQuery(query: string, presigned: boolean): string {
  const pairs = query
    .split('&')
    .filter((part) => part !== '')
    .map((part) => part.split(/=(.*)/s).map(decode))
    .filter(([key]) => !(presigned && key === 'X-Amz-Signature'))
    .map(([key = '', value = '']) => [uriEncode(key), uriEncode(value)] as const);
  pairs.sort(([k1, v1], [k2, v2]) => (k1 === k2 ? (v1 < v2 ? -1 : 1) : k1 < k2 ? -1 : 1));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function headerValue(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).replace(/\s+/g, ' ').trim();
}
