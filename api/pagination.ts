/**
 * Listings answer a bare array (as the seed did) and carry the next page in headers: `x-next-token`
 * and a `Link` to the next page.
 */
export function pageHeaders(path: string, limit: number, nextToken: string | null): Record<string, string> {
  if (!nextToken) return {};
  return {
    'x-next-token': nextToken,
    link: `<${path}?limit=${limit}&next_token=${encodeURIComponent(nextToken)}>; rel="next"`,
  };
}

export function pageOf(query: { limit: number; next_token?: string | undefined }): {
  limit: number;
  next_token?: string;
} {
  return { limit: query.limit, ...(query.next_token ? { next_token: query.next_token } : {}) };
}
