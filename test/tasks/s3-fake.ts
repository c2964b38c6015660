/**
 * An archive bucket behind a mocked S3Client: ListObjects (v1) answers like S3 (keys in UTF-8 binary
 * order, `Prefix`, `Marker`, `MaxKeys`, `IsTruncated`; no `NextMarker` without a delimiter),
 * PutObject keeps what was written and, with `IfNoneMatch: '*'`, refuses a key it holds as S3 does
 * (412 PreconditionFailed), and DeleteObjects removes keys.
 */
import {
  DeleteObjectsCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export interface FakeBucket {
  keys: Set<string>;
  written: Map<string, { body: string; contentType: string | undefined }>;
}

export function fakeBucket(s3: AwsClientStub<S3Client>, keys: Iterable<string>): FakeBucket {
  const bucket: FakeBucket = { keys: new Set(keys), written: new Map() };
  s3.on(ListObjectsCommand).callsFake((input: { Prefix?: string; Marker?: string; MaxKeys?: number }) => {
    const maxKeys = input.MaxKeys ?? 1000;
    const matching = [...bucket.keys]
      .filter((k) => k.startsWith(input.Prefix ?? '') && (input.Marker === undefined || k > input.Marker))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const page = matching.slice(0, maxKeys);
    return {
      Contents: page.map((Key) => ({ Key, Size: 1 })),
      MaxKeys: maxKeys,
      IsTruncated: matching.length > page.length,
    };
  });
  s3.on(PutObjectCommand).callsFake(
    (input: { Key?: string; Body?: unknown; ContentType?: string; IfNoneMatch?: string }) => {
      const key = input.Key ?? '';
      if (input.IfNoneMatch === '*' && (bucket.keys.has(key) || bucket.written.has(key))) {
        throw new S3ServiceException({
          name: 'PreconditionFailed',
          message: 'At least one of the pre-conditions you specified did not hold',
          $fault: 'client',
          $metadata: { httpStatusCode: 412 },
        });
      }
      bucket.written.set(key, { body: String(input.Body), contentType: input.ContentType });
      return { ETag: '"etag"' };
    },
  );
  s3.on(DeleteObjectsCommand).callsFake((input: { Delete?: { Objects?: Array<{ Key?: string }> } }) => {
    for (const { Key } of input.Delete?.Objects ?? []) {
      bucket.keys.delete(Key ?? '');
      bucket.written.delete(Key ?? '');
    }
    return {};
  });
  return bucket;
}
