/**
 * Whether an archive `path` given to a start (now or scheduled) can be a new session's own: not
 * another session's (of this stream or another: the prefix reservations of core/stream-store.ts),
 * and empty in the bucket. Checked here for a clear 400 at once; the start workflow checks again
 * when it reserves the prefix, which also settles two starts racing for the same path.
 */
import { normalizeArchivePath } from '../core/archive-naming.js';
import type { FieldProblem } from '../core/errors.js';
import type { Services } from './route.js';

/** The `path` problem of a start whose body names a path, for a 400; undefined when it may be used. */
export async function pathFieldProblem(
  { store, archive }: Pick<Services, 'store' | 'archive'>,
  path: string | undefined,
): Promise<FieldProblem | undefined> {
  if (path === undefined) return undefined;
  // Syntax is the schema's (already checked); whether the prefix is free, the table's and the bucket's.
  const prefix = normalizeArchivePath(path);
  if (await store.archivePrefixOwner(prefix)) {
    return { field: 'path', reason: 'is the archive of another recording session: choose another path' };
  }
  if (archive && (await archive.holdsObjects(prefix))) {
    return { field: 'path', reason: 'already holds objects: choose an empty path' };
  }
  return undefined;
}
