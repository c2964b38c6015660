/**
 * AWS Signature Version 4, checked the way AWS checks it: the canonical request is rebuilt from
 * what arrived and signed again with the local secret ("Create a signed AWS API request", IAM user
 * guide), from the Authorization header or, for S3 presigned URLs, the X-Amz-* query parameters.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { LocalCredentials } from './credentials.js';

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** "Signing AWS API requests": a request more than 15 minutes from the server's clock is refused. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** S3 presigned URLs are valid at most 7 days (X-Amz-Expires, "Authenticating requests: query parameters"). */
const MAX_PRESIGNED_SECONDS = 604_800;

export type AuthReason = 'missing' | 'key' | 'signature' | 'time';

export class AuthFailure extends Error {
  override readonly name = 'AuthFailure';
  constructor(
    readonly reason: AuthReason,
    message: string,
  ) {
    super(message);
  }
}

export interface IncomingSigned {
  method: string;
  /** The request target as received: path and query, still percent-encoded. */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface Authorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** `YYYYMMDDTHHMMSSZ` */
  amzDate: string;
  /** Seconds a presigned URL stays valid; undefined for header authorization. */
  expires: number | undefined;
  /** What the client declared: a hex SHA-256, `UNSIGNED-PAYLOAD` or `STREAMING-…` (S3); undefined: hash the body. */
  declaredPayload: string | undefined;
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
export const isHexHash = (value: string | undefined): boolean =>
  value !== undefined && /^[0-9a-f]{64}$/.test(value);

/** The request's credentials, scope and signature, or AuthFailure when they are missing or malformed. */
export function readAuthorization(request: IncomingSigned): Authorization {
  const header = request.headers.authorization;
  const query = new URLSearchParams(request.url.split('?')[1] ?? '');
  let fields: Record<string, string>;
  let amzDate: string | undefined;
  let expires: number | undefined;
  let declaredPayload = single(request.headers['x-amz-content-sha256']);
  if (header !== undefined) {
    if (!header.startsWith(`${ALGORITHM} `))
      throw new AuthFailure('missing', `Only ${ALGORITHM} is accepted.`);
    fields = Object.fromEntries(
      header
        .slice(ALGORITHM.length + 1)
        .split(',')
        .map((part) => part.trim().split('=') as [string, string]),
    );
    amzDate = single(request.headers['x-amz-date']);
  } else if (query.get('X-Amz-Algorithm') === ALGORITHM) {
    fields = {
      Credential: query.get('X-Amz-Credential') ?? '',
      SignedHeaders: query.get('X-Amz-SignedHeaders') ?? '',
      Signature: query.get('X-Amz-Signature') ?? '',
    };
    amzDate = query.get('X-Amz-Date') ?? undefined;
    expires = Number(query.get('X-Amz-Expires'));
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS) {
      throw new AuthFailure('missing', `X-Amz-Expires must be 1 to ${MAX_PRESIGNED_SECONDS} seconds.`);
    }
    declaredPayload = query.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
  } else {
    throw new AuthFailure(
      'missing',
      'Request is missing Authentication Token (sign it with AWS Signature V4).',
    );
  }
  const [accessKeyId, date, region, service, terminator] = (fields.Credential ?? '').split('/');
  const signedHeaders = (fields.SignedHeaders ?? '').split(';');
  const signature = fields.Signature ?? '';
  if (
    !accessKeyId ||
    !date ||
    !region ||
    !service ||
    terminator !== 'aws4_request' ||
    !signedHeaders.includes('host')
  ) {
    throw new AuthFailure(
      'missing',
      'The Authorization is malformed: it needs Credential, SignedHeaders (with host) and Signature.',
    );
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) throw new AuthFailure('signature', 'The signature is malformed.');
  if (amzDate === undefined || !/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) {
    throw new AuthFailure('time', 'X-Amz-Date is missing or does not match the credential scope.');
  }
  return { accessKeyId, date, region, service, signedHeaders, signature, amzDate, expires, declaredPayload };
}

/** Throws AuthFailure unless `auth` is a valid signature of the request by `credentials`, now. */
export function checkSignature(
  request: IncomingSigned,
  auth: Authorization,
  payloadHash: string,
  credentials: LocalCredentials,
  now = Date.now(),
): void {
  if (auth.accessKeyId !== credentials.accessKeyId) {
    throw new AuthFailure(
      'key',
      'The security token included in the request is invalid (not the local key pair).',
    );
  }
  const d = auth.amzDate;
  const signedAt = Date.UTC(
    +d.slice(0, 4),
    +d.slice(4, 6) - 1,
    +d.slice(6, 8),
    +d.slice(9, 11),
    +d.slice(11, 13),
    +d.slice(13, 15),
  );
  if (signedAt - now > MAX_SKEW_MS || (auth.expires === undefined && now - signedAt > MAX_SKEW_MS)) {
    throw new AuthFailure(
      'time',
      'Signature expired: the request time is more than 15 minutes from the server time.',
    );
  }
  if (auth.expires !== undefined && now > signedAt + auth.expires * 1000) {
    throw new AuthFailure('time', 'Request has expired.');
  }
  const [rawPath = '/', rawQuery = ''] = request.url.split(/\?(.*)/s);
  const canonical = [
    request.method,
    // S3 signs the path as sent; the other services sign it normalized and encoded once more.
    auth.service === 's3' ? rawPath : canonicalPath(rawPath),
    canonicalQuery(rawQuery, auth.expires !== undefined),
    ...auth.signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}`),
    '',
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${auth.amzDate}\n${scope}\n${sha256Hex(canonical)}`;
  let key: Buffer = Buffer.from(`AWS4${credentials.secretAccessKey}`);
  for (const part of [auth.date, auth.region, auth.service, 'aws4_request']) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(auth.signature, 'hex'))) {
    throw new AuthFailure(
      'signature',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
}

const hmac = (key: Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding: everything but `A-Z a-z 0-9 - _ . ~`. */
const escapeUri = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(escapeUri(segment));
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

function canonicalQuery(rawQuery: string, presigned: boolean): string {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const [key = '', value = ''] = part.split(/=(.*)/s).map(decode);
    if (presigned && key === 'X-Amz-Signature') continue;
    pairs.push([escapeUri(key), escapeUri(value)]);
  }
  pairs.sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not valid percent-encoding: signed as is, so it can only match if the client signed it so too.
    return text;
  }
}

function headerValue(value: string | string[] | undefined): string {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
