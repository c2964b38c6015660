/**
 * The archive's S3 client, in its own module so that the API's entry chunk does not hold the S3
 * client (api/lazy.ts).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { observed } from '../core/aws-call-observer.js';
import { ArchiveAccess } from './archive-access.js';

export function archiveAccess(bucket: string): ArchiveAccess {
  return new ArchiveAccess(
    // s3rver (local mode) needs path-style requests, as the tasks' client does.
    observed(
      new S3Client({
        requestChecksumCalculation: 'WHEN_REQUIRED',
        forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true',
      }),
    ),
    bucket,
  );
}
