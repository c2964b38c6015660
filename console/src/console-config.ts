/**
 * Where the console finds the API and the clips. Local mode serves `/console-config.json` next to
 * the console; a static deployment may ship one; without it, the API is the console's own origin.
 */
export interface ConsoleConfig {
  /** '' = the console's own origin. */
  apiBaseUrl: string;
  auth: 'token';
  /** Clips play from `<clipBaseUrl><clip key>`; null = no clip URL on this deployment. */
  clipBaseUrl: string | null;
  /** Send the API token with clip requests (local mode's `/archive/` checks it). */
  clipAuth: 'api-token' | 'none';
  mode: 'local' | 'aws';
}

export const DEFAULT_CONFIG: ConsoleConfig = {
  apiBaseUrl: '',
  auth: 'token',
  clipBaseUrl: null,
  clipAuth: 'none',
  mode: 'aws',
};

export function parseConfig(raw: unknown): ConsoleConfig {
  if (typeof raw !== 'object' || raw === null) return DEFAULT_CONFIG;
  const r = raw as Record<string, unknown>;
  return {
    apiBaseUrl:
      typeof r.apiBaseUrl === 'string' ? r.apiBaseUrl.replace(/\/+$/, '') : DEFAULT_CONFIG.apiBaseUrl,
    auth: 'token',
    clipBaseUrl: typeof r.clipBaseUrl === 'string' ? r.clipBaseUrl : null,
    clipAuth: r.clipAuth === 'api-token' ? 'api-token' : 'none',
    mode: r.mode === 'local' ? 'local' : 'aws',
  };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const response = await fetch('./console-config.json');
    if (!response.ok) return DEFAULT_CONFIG;
    return parseConfig(await response.json());
  } catch {
    return DEFAULT_CONFIG;
  }
}

/** The URL a clip plays from, or undefined when the deployment serves none. */
export function clipUrl(config: ConsoleConfig, key: string): string | undefined {
  if (config.clipBaseUrl === null) return undefined;
  const base = config.clipBaseUrl.endsWith('/') ? config.clipBaseUrl : `${config.clipBaseUrl}/`;
  return `${base}${key.split('/').map(encodeURIComponent).join('/')}`;
}
