/**
 * The API's access to the archive bucket: reading a clip's playlist, signing GET URLs of its
 * segments and of its MP4 exports (the bucket stays private), deleting what a clip wrote, and
 * telling whether a start's archive path already holds objects.
 *
 * Presigned URLs are made here without an extra package: the S3 client builds the GetObject
 * request (endpoint, path or virtual-host style, escaping) and a middleware takes it before it is
 * sent; SigV4 then signs it for the query string. The request goes through the client's stack like
 * any call, so the AWS call observer sees it: a presigned GET is authorized as s3:GetObject of the
 * signer's role when it is used.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';

/**
 * A presigned URL stops working when the credentials that signed it expire, whatever its
 * `X-Amz-Expires` (S3 user guide, "Sharing objects with presigned URLs"); a Lambda function's role
 * credentials are temporary. URLs are cut to end a minute before them.
 */
const CREDENTIAL_MARGIN_MS = 60_000;
/** S3 accepts at most 7 days (S3 API reference, "Authenticating Requests: Using Query Parameters"). */
export const MAX_PRESIGN_SECONDS = 7 * 86_400;

class Captured extends Error {
  constructor(readonly request: HttpRequest) {
    super('captured');
  }
}

/** What the routes use of the archive: ArchiveAccess, or one loaded on first use (api/lazy.ts). */
export type Archive = Pick<
  ArchiveAccess,
  'bucket' | 'holdsObjects' | 'readText' | 'delete' | 'lifetime' | 'presignGet'
>;

export class ArchiveAccess {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether any object's key starts with `prefix` + "/" (one ListObjectsV2 of one key). */
  async holdsObjects(prefix: string): Promise<boolean> {
    const listed = await this.s3.send(
      new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${prefix}/`, MaxKeys: 1 }),
    );
    return (listed.KeyCount ?? 0) > 0;
  }

  /** The object as text; undefined when there is none. */
  async readText(key: string): Promise<string | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }

  /** Removes the keys (one DeleteObjects request per 1,000 keys); missing keys are not an error. */
  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }
  }

  /**
   * Seconds a URL signed now can really last: `wanted`, cut to the signing credentials' expiry
   * (a minute before it) and to S3's 7 days.
   */
  async lifetime(wanted: number): Promise<number> {
    const identity = await this.s3.config.credentials();
    const expiration = identity.expiration?.getTime();
    const left =
      expiration === undefined
        ? Number.POSITIVE_INFINITY
        : Math.floor((expiration - CREDENTIAL_MARGIN_MS - this.now().getTime()) / 1000);
    return Math.max(1, Math.min(wanted, left, MAX_PRESIGN_SECONDS));
  }

  /** A GET URL of `key` that works without credentials for `seconds` (see `lifetime`). */
  async presignGet(key: string, seconds: number, download?: string): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(download ? { ResponseContentDisposition: `attachment; filename="${download}"` } : {}),
    });
    command.middlewareStack.add(
      (_next) => async (args) => {
        throw new Captured(args.request as HttpRequest);
      },
      { step: 'build', priority: 'low', name: 'capturePresignRequest' },
    );
    let request: HttpRequest | undefined;
    try {
      await this.s3.send(command);
    } catch (error) {
      if (!(error instanceof Captured)) throw error;
      request = error.request;
    }
    if (!request) throw new Error('the S3 client sent a request it should only have built');
    const { config } = this.s3;
    const signer = new SignatureV4({
      credentials: config.credentials,
      region: await config.region(),
      service: 's3',
      sha256: config.sha256,
      // S3 signs the path as sent, without escaping it twice (SigV4 for S3).
      uriEscapePath: false,
      applyChecksum: false,
    });
    const { 'x-id': _operation, ...query } = request.query ?? {};
    // Only the Host header is signed: a browser or player sends nothing else the signature covers.
    const host = request.port ? `${request.hostname}:${request.port}` : request.hostname;
    const signed = await signer.presign(
      // S3 presigned URLs sign no payload (SigV4 for S3, "UNSIGNED-PAYLOAD").
      { ...request, query, headers: { host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { expiresIn: seconds, signingDate: this.now() },
    );
    const url = new URL(`${signed.protocol}//${signed.hostname}${signed.port ? `:${signed.port}` : ''}`);
    const search = Object.entries(signed.query ?? {})
      .flatMap(([k, v]) =>
        (Array.isArray(v) ? v : [v]).map((one) => `${k}=${encodeURIComponent(String(one))}`),
      )
      .join('&');
    return `${url.origin}${signed.path}?${search}`;
  }
}
