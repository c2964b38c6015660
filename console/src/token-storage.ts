/**
 * The API token lives in sessionStorage: it survives a reload, not the tab, and is never written to
 * localStorage or a cookie.
 */
const KEY = 'live-console.api-token';

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}
