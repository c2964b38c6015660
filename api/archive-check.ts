/**
 * Whether an archive `path` given to a start can be a new session's own: not another session's (of
 * this stream or another: the prefix reservations of core/stream-store.ts), and empty in the bucket.
 * Checked here for a clear 400 at once; the start workflow checks again when it reserves the prefix,
 * which also settles two starts racing for the same path.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { normalizeArchivePath } from '../core/archive-naming.js';
import type { FieldProblem } from '../core/errors.js';
import type { StreamStore } from '../core/stream-store.js';

export interface ArchiveCheck {
  /** Why a new session may not use `prefix`, or undefined when it may. */
  problem(prefix: string): Promise<string | undefined>;
}

export function archiveCheck(s3: S3Client, bucket: string, store: StreamStore): ArchiveCheck {
  return {
    async problem(prefix) {
      if (await store.archivePrefixOwner(prefix)) {
        return 'is the archive of another recording session: choose another path';
      }
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, MaxKeys: 1 }),
      );
      return (listed.KeyCount ?? 0) > 0 ? 'already holds objects: choose an empty path' : undefined;
    },
  };
}

/** The `path` problem of a start (now or scheduled) whose body names a path, for a 400. */
export async function pathFieldProblem(
  archive: ArchiveCheck | undefined,
  path: string | undefined,
): Promise<FieldProblem | undefined> {
  if (path === undefined || !archive) return undefined;
  // Syntax is the schema's (already checked); whether the prefix is free, the archive's.
  const reason = await archive.problem(normalizeArchivePath(path));
  return reason ? { field: 'path', reason } : undefined;
}
