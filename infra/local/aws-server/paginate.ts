import type { AwsError } from './aws-error.js';

/**
 * A page of a listing. The opaque token names the listing it continues (`scope`: the request's
 * filters) and where the next page starts, so a token reused with another listing is refused.
 */
export function paginate<T>(
  items: readonly T[],
  {
    maxResults,
    nextToken,
    scope,
  }: { maxResults: number | undefined; nextToken: string | undefined; scope: string },
  invalidToken: () => AwsError,
): { items: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const [tokenScope, offset] = String(Buffer.from(nextToken, 'base64url')).split('\n');
    if (tokenScope !== scope || !/^\d+$/.test(offset ?? '')) throw invalidToken();
    start = Number(offset);
  }
  const end = start + (maxResults ?? items.length);
  const page = items.slice(start, end);
  return end < items.length
    ? { items: page, nextToken: Buffer.from(`${scope}\n${end}`).toString('base64url') }
    : { items: page };
}
