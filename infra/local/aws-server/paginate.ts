import type { AwsError } from './aws-error.js';

/**
 * A page of a listing. The opaque token holds the listing it continues (`scope`: the request's
 * filters) and where the next page starts, so a token reused with another listing is refused.
 */
export function paginate<T>(
  items: readonly T[],
  request: { maxResults: number | undefined; nextToken: string | undefined; scope: string },
  invalidToken: () => AwsError,
): { items: T[]; nextToken?: string } {
  let start = 0;
  if (request.nextToken !== undefined) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(request.nextToken, 'base64url').toString('utf8'));
    } catch {
      throw invalidToken();
    }
    if (!Array.isArray(decoded) || decoded[0] !== request.scope || !Number.isInteger(decoded[1]))
      throw invalidToken();
    start = decoded[1] as number;
  }
  const end = start + (request.maxResults ?? items.length);
  const page = { items: items.slice(start, end) };
  if (end >= items.length) return page;
  return { ...page, nextToken: Buffer.from(JSON.stringify([request.scope, end])).toString('base64url') };
}
