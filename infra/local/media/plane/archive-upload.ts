/**
 * Archive files to S3 with MediaLive's naming: `<destination URL><NameModifier>.<counter>.<ext>`
 * (e.g. `s3ssl://bucket/2026/11/23/ABC-1700000000/_1/archive` + `_1080p` + `.000000.ts`), one
 * file per RolloverInterval, uploaded only once closed, in order.
 */
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface S3Location {
  bucket: string;
  key: string;
}

/** A destination URL MediaLive accepts for archives: `s3://` or `s3ssl://`. */
export function parseArchiveUrl(url: string): { bucket: string; prefix: string } {
  const match = /^s3(?:ssl)?:\/\/([^/]+)\/(.*)$/.exec(url);
  if (!match?.[1]) throw new Error(`not an S3 archive destination: ${url}`);
  return { bucket: match[1], prefix: match[2] ?? '' };
}

export function archiveObjectKey(
  destinationUrl: string,
  nameModifier: string,
  counter: number,
  extension: string,
): S3Location {
  const { bucket, prefix } = parseArchiveUrl(destinationUrl);
  return { bucket, key: `${prefix}${nameModifier}.${String(counter).padStart(6, '0')}.${extension}` };
}

const ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 500;

/**
 * Uploads one file at a time, in the order given, so archive files land in counter order and a
 * 2-core machine is not asked to encode and push several files at once.
 */
export class ArchiveUploader {
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly s3: S3Client,
    private readonly logger: (line: string) => void,
    /** Wait before the first retry, doubling after; tests shorten it. */
    private readonly firstBackoffMs = FIRST_BACKOFF_MS,
  ) {}

  /** Queues the upload; the local file is deleted once stored, kept if every attempt failed. */
  upload(file: string, target: S3Location): Promise<void> {
    const done = this.#queue.then(() => this.#uploadWithRetries(file, target));
    this.#queue = done;
    return done;
  }

  /** Resolves when everything queued so far is stored (or given up on). */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #uploadWithRetries(file: string, target: S3Location): Promise<void> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
      try {
        const { size } = await stat(file);
        await this.s3.send(
          new PutObjectCommand({
            Bucket: target.bucket,
            Key: target.key,
            Body: createReadStream(file),
            ContentLength: size,
            ContentType: 'video/MP2T',
          }),
        );
        await rm(file, { force: true });
        this.logger(`archive: stored s3://${target.bucket}/${target.key} (${size} bytes)`);
        return;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (attempt === ATTEMPTS) {
          this.logger(`archive: giving up on s3://${target.bucket}/${target.key}, kept ${file}: ${reason}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, this.firstBackoffMs * 2 ** (attempt - 1)));
      }
    }
  }
}
