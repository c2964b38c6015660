/**
 * Stream keys are secrets, like passwords: logs show enough of one to tell streams apart, never the
 * whole key.
 */
export function maskStreamKey(key: string): string {
  if (key.length <= 8) return '****';
  return `${key.slice(0, 4)}…(${key.length} chars)`;
}

/** `app/key` with the key masked, for log lines. */
export function maskStreamPath(app: string, key: string): string {
  return `${app}/${maskStreamKey(key)}`;
}
