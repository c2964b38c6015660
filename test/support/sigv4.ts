/**
 * Requests signed (or presigned) by the SDK's own SigV4 signer, for tests that send them by hand:
 * a tampered body, a stale date, a presigned S3 URL.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Data): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data)
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** The SDK signer's hash interface over node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: Data) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

export function signer(credentials: Keys, service: string, region = 'us-east-1'): SignatureV4 {
  // S3 signs the path as sent; every other service signs it encoded once more.
  return new SignatureV4({
    credentials,
    region,
    service,
    sha256: NodeSha256,
    uriEscapePath: service !== 's3',
  });
}

/** A request to `url` (path and query included), for the signer. */
export function requestTo(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: string,
): HttpRequest {
  const parsed = new URL(url);
  return {
    method,
    protocol: parsed.protocol,
    hostname: parsed.hostname,
    port: Number(parsed.port),
    path: parsed.pathname,
    query: Object.fromEntries(parsed.searchParams),
    headers: { host: parsed.host, ...headers },
    ...(body === undefined ? {} : { body }),
  };
}

/**
 * A presigned S3 GET URL as the SDK's S3 presigner makes it: the payload is UNSIGNED-PAYLOAD, which
 * S3 assumes for presigned URLs, so the header carrying it is neither hoisted into the URL nor signed.
 */
export async function presignedGet(
  credentials: Keys,
  url: string,
  expiresIn: number,
  signingDate = new Date(),
) {
  const presigned = await signer(credentials, 's3').presign(
    requestTo(url, 'GET', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }),
    {
      expiresIn,
      signingDate,
      unhoistableHeaders: new Set(['x-amz-content-sha256']),
      unsignableHeaders: new Set(['x-amz-content-sha256']),
    },
  );
  const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
  return `${url}?${query}`;
}

/** Sends a request as given (Host header included), optionally with another body than the one signed. */
export function send(
  request: HttpRequest,
  body = request.body as string | undefined,
): Promise<{ status: number; text: string }> {
  const query = new URLSearchParams(request.query as Record<string, string>).toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: request.port,
        method: request.method,
        path: `${request.path}${query ? `?${query}` : ''}`,
        headers: request.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
