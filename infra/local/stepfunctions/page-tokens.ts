import { invalidToken } from './api-errors.js';

/**
 * Opaque nextToken values. A token records which listing it continues, so a token reused with a
 * different request (another machine, status filter or order) is refused with InvalidToken as AWS does.
 */
export function encodeToken(cursor: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeToken<T extends Record<string, unknown>>(
  token: string,
  matches: (cursor: T) => boolean,
): T {
  let cursor: unknown;
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  if (typeof cursor !== 'object' || cursor === null || !matches(cursor as T)) throw invalidToken();
  return cursor as T;
}
