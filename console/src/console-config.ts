/**
 * Where the console finds the API. Local mode serves `/console-config.json` next to
 * the console; a static deployment may ship one; without it, the API is the console's own origin.
 */
export interface ConsoleConfig {
  /** '' = the console's own origin. */
  apiBaseUrl: string;
  /** `token`: the API token typed in; `cognito`: the user pool's Hosted UI (set by the CDK app). */
  auth: 'token' | 'cognito';
  /** Set when `auth` is `cognito`. */
  cognito: CognitoSettings | null;
  mode: 'local' | 'aws';
}

/** The user pool app client the console signs in with (OAuth code flow with PKCE). */
export interface CognitoSettings {
  region: string;
  userPoolId: string;
  clientId: string;
  /** Hosted UI base URL, `https://<prefix>.auth.<region>.amazoncognito.com`. */
  domain: string;
  scopes: string[];
}

export const DEFAULT_CONFIG: ConsoleConfig = {
  apiBaseUrl: '',
  auth: 'token',
  cognito: null,
  mode: 'aws',
};

export function parseConfig(raw: unknown): ConsoleConfig {
  if (typeof raw !== 'object' || raw === null) return DEFAULT_CONFIG;
  const r = raw as Record<string, unknown>;
  const cognito = r.auth === 'cognito' ? parseCognito(r.cognito) : null;
  return {
    apiBaseUrl:
      typeof r.apiBaseUrl === 'string' ? r.apiBaseUrl.replace(/\/+$/, '') : DEFAULT_CONFIG.apiBaseUrl,
    auth: cognito ? 'cognito' : 'token',
    cognito,
    mode: r.mode === 'local' ? 'local' : 'aws',
  };
}

function parseCognito(raw: unknown): CognitoSettings | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const c = raw as Record<string, unknown>;
  const text = (v: unknown): v is string => typeof v === 'string' && v !== '';
  if (!text(c.region) || !text(c.userPoolId) || !text(c.clientId) || !text(c.domain)) return null;
  // The Hosted UI gets the authorization code and the token request: only over https.
  if (!/^https:\/\/[^/?#]+$/.test(c.domain.replace(/\/+$/, ''))) return null;
  const scopes = Array.isArray(c.scopes) ? c.scopes.filter(text) : [];
  return {
    region: c.region,
    userPoolId: c.userPoolId,
    clientId: c.clientId,
    domain: c.domain.replace(/\/+$/, ''),
    scopes: scopes.length > 0 ? scopes : ['openid'],
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
