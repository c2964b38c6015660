/** NextToken pagination for the List operations: opaque tokens holding the next offset. */
import type { ServiceError } from './service-error.js';

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export function paginate<T>(
  items: readonly T[],
  maxResults: string | null,
  nextToken: string | null,
  invalid: (message: string) => ServiceError,
  limits: { defaultSize: number; maxSize: number },
): Page<T> {
  let size = limits.defaultSize;
  if (maxResults !== null) {
    size = Number(maxResults);
    if (!Number.isInteger(size) || size < 1 || size > limits.maxSize) {
      throw invalid(`maxResults must be an integer between 1 and ${limits.maxSize}.`);
    }
  }
  let offset = 0;
  if (nextToken !== null) {
    const decoded = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw invalid('The nextToken is not valid.');
    offset = decoded;
  }
  const page: Page<T> = { items: items.slice(offset, offset + size) };
  if (offset + size < items.length) page.nextToken = Buffer.from(String(offset + size)).toString('base64url');
  return page;
}
