/**
 * Sign-in with the Cognito user pool's Hosted UI: OAuth 2.0 authorization code flow with PKCE
 * (RFC 7636, S256). The browser holds no secret: the code verifier, made here and kept in
 * sessionStorage for the round trip, is what proves the code was asked for by this tab. The ID
 * token is the API's credential (API Gateway's Cognito authorizer checks it); no refresh token is
 * kept: when the ID token expires, the console signs in again (the Hosted UI remembers the user
 * for a while, so that is often one redirect without a prompt).
 *
 * DOM-free: storage, fetch, randomness and the clock come in as arguments, so tests need no browser.
 */
import type { CognitoSettings } from './console-config.js';

/** What survives the redirect to the Hosted UI and back. */
interface PendingSignIn {
  state: string;
  verifier: string;
  redirectUri: string;
}

/** sessionStorage's shape (declared here: the root tsconfig, which tests use, has no DOM types). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface SignInDeps {
  storage: KeyValueStorage;
  /** Fills the array with cryptographically strong random bytes. */
  randomBytes(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer>;
  sha256(data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
  fetch: typeof fetch;
}

export const PENDING_KEY = 'live-console.cognito-pending';

export class SignInError extends Error {
  override readonly name = 'SignInError';
}

export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The S256 challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2). */
export async function codeChallenge(verifier: string, sha256: SignInDeps['sha256']): Promise<string> {
  return base64Url(new Uint8Array(await sha256(new TextEncoder().encode(verifier))));
}

/** 32 random bytes: a 43-character verifier, the length RFC 7636 §4.1 recommends. */
export function newVerifier(randomBytes: SignInDeps['randomBytes']): string {
  return base64Url(randomBytes(new Uint8Array(32)));
}

/** Where the Hosted UI sends the user back: the console's root (the registered callback URL). */
export function redirectUriOf(location: { origin: string }): string {
  return `${location.origin}/`;
}

/** Makes and stores the PKCE verifier and state; answers the Hosted UI URL to go to. */
export async function beginSignIn(
  cognito: CognitoSettings,
  redirectUri: string,
  deps: SignInDeps,
): Promise<string> {
  const pending: PendingSignIn = {
    state: base64Url(deps.randomBytes(new Uint8Array(16))),
    verifier: newVerifier(deps.randomBytes),
    redirectUri,
  };
  deps.storage.setItem(PENDING_KEY, JSON.stringify(pending));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: cognito.clientId,
    redirect_uri: redirectUri,
    scope: cognito.scopes.join(' '),
    state: pending.state,
    code_challenge: await codeChallenge(pending.verifier, deps.sha256),
    code_challenge_method: 'S256',
  });
  return `${cognito.domain}/oauth2/authorize?${query}`;
}

/** True when the URL is the Hosted UI's answer (a code or an error, with a state). */
export function isSignInCallback(url: URL): boolean {
  return url.searchParams.has('state') && (url.searchParams.has('code') || url.searchParams.has('error'));
}

/**
 * Exchanges the code of the callback URL for tokens and answers the ID token. Throws SignInError
 * when the Hosted UI answered an error, the state is not the one this tab sent (a forged or stale
 * callback), or the token endpoint refuses.
 */
export async function completeSignIn(cognito: CognitoSettings, url: URL, deps: SignInDeps): Promise<string> {
  const raw = deps.storage.getItem(PENDING_KEY);
  // One use only: a replayed callback finds nothing to match.
  deps.storage.removeItem(PENDING_KEY);
  const error = url.searchParams.get('error');
  if (error) {
    const description = url.searchParams.get('error_description');
    throw new SignInError(`Sign-in failed: ${description ? `${error} (${description})` : error}`);
  }
  const pending = parsePending(raw);
  const state = url.searchParams.get('state');
  if (!pending || !state || state !== pending.state) {
    throw new SignInError('Sign-in did not start in this tab (state mismatch): sign in again.');
  }
  const code = url.searchParams.get('code');
  if (!code) throw new SignInError('Sign-in answered without a code: sign in again.');

  let response: Response;
  try {
    response = await deps.fetch(`${cognito.domain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: cognito.clientId,
        code,
        redirect_uri: pending.redirectUri,
        code_verifier: pending.verifier,
      }).toString(),
    });
  } catch (e) {
    throw new SignInError(`The sign-in service did not answer (${(e as Error).message})`);
  }
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!response.ok) {
    const reason = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`;
    throw new SignInError(`The sign-in service refused the code (${reason}): sign in again.`);
  }
  const idToken = body?.id_token;
  if (typeof idToken !== 'string' || tokenExpiry(idToken) === undefined) {
    throw new SignInError('The sign-in service answered without an ID token.');
  }
  return idToken;
}

function parsePending(raw: string | null): PendingSignIn | undefined {
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as Partial<PendingSignIn>;
    if (typeof p.state === 'string' && typeof p.verifier === 'string' && typeof p.redirectUri === 'string') {
      return { state: p.state, verifier: p.verifier, redirectUri: p.redirectUri };
    }
  } catch {
    // A damaged entry is no pending sign-in.
  }
  return undefined;
}

/**
 * The token's `exp` in epoch milliseconds, or undefined when it is not a JWT with one. Not a check
 * of the signature: the API does that; this only tells the console when to sign in again.
 */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '='))) as {
      exp?: unknown;
    };
    return typeof json.exp === 'number' ? json.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Expired, or about to be: a call made within `marginMs` of the end would be refused mid-flight. */
export function isExpired(token: string, now: number, marginMs = 60_000): boolean {
  const expiry = tokenExpiry(token);
  return expiry === undefined || expiry - marginMs <= now;
}

/** The Hosted UI's logout URL: ends the Cognito session too, then comes back to the console. */
export function signOutUrl(cognito: CognitoSettings, redirectUri: string): string {
  const query = new URLSearchParams({ client_id: cognito.clientId, logout_uri: redirectUri });
  return `${cognito.domain}/logout?${query}`;
}
