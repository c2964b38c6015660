import { createHash, randomFillSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../../console/src/api-client.js';
import {
  beginSignIn,
  codeChallenge,
  completeSignIn,
  isExpired,
  isSignInCallback,
  type KeyValueStorage,
  newVerifier,
  PENDING_KEY,
  redirectUriOf,
  type SignInDeps,
  SignInError,
  signOutUrl,
  tokenExpiry,
} from '../../console/src/cognito-sign-in.js';
import { type CognitoSettings, parseConfig } from '../../console/src/console-config.js';

const COGNITO: CognitoSettings = {
  region: 'eu-west-1',
  userPoolId: 'eu-west-1_AbCdEf123',
  clientId: 'client123',
  domain: 'https://acme-live.auth.eu-west-1.amazoncognito.com',
  scopes: ['openid', 'email'],
};
const CONSOLE = 'https://d111111abcdef8.cloudfront.net/';

const jwt = (payload: Record<string, unknown>): string =>
  [{ alg: 'RS256' }, payload].map((p) => Buffer.from(JSON.stringify(p)).toString('base64url')).join('.') +
  '.signature';

function memoryStorage(): KeyValueStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

function deps(
  fetchImpl: SignInDeps['fetch'] = vi.fn(),
): SignInDeps & { storage: ReturnType<typeof memoryStorage> } {
  return {
    storage: memoryStorage(),
    randomBytes: (bytes) => randomFillSync(bytes),
    sha256: async (data) => {
      const digest = createHash('sha256').update(data).digest();
      return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
    },
    fetch: fetchImpl,
  };
}

const tokenAnswer = (body: unknown, status = 200) =>
  vi.fn<SignInDeps['fetch']>(async () => new Response(JSON.stringify(body), { status }));

async function startedSignIn(d: SignInDeps): Promise<URL> {
  return new URL(await beginSignIn(COGNITO, CONSOLE, d));
}

function callback(params: Record<string, string>): URL {
  return new URL(`${CONSOLE}?${new URLSearchParams(params)}`);
}

describe('PKCE', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    expect(await codeChallenge(verifier, deps().sha256)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes 43-character unreserved verifiers, a new one each time', () => {
    const a = newVerifier(deps().randomBytes);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newVerifier(deps().randomBytes)).not.toBe(a);
  });
});

describe('beginSignIn', () => {
  it('sends the user to the Hosted UI with the code flow, the client, the callback and an S256 challenge', async () => {
    const d = deps();
    const url = await startedSignIn(d);
    expect(`${url.origin}${url.pathname}`).toBe(`${COGNITO.domain}/oauth2/authorize`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('client123');
    expect(q.get('redirect_uri')).toBe(CONSOLE);
    expect(q.get('scope')).toBe('openid email');
    expect(q.get('code_challenge_method')).toBe('S256');
    const pending = JSON.parse(d.storage.data.get(PENDING_KEY)!) as { state: string; verifier: string };
    expect(q.get('state')).toBe(pending.state);
    expect(q.get('code_challenge')).toBe(await codeChallenge(pending.verifier, d.sha256));
    // The verifier itself never leaves the tab before the token request.
    expect(url.href).not.toContain(pending.verifier);
  });

  it('uses the console root as the callback, whatever page the user was on', () => {
    expect(redirectUriOf({ origin: 'https://d111111abcdef8.cloudfront.net' })).toBe(CONSOLE);
  });
});

describe('completeSignIn', () => {
  it('exchanges the code with the stored verifier and answers the ID token', async () => {
    const idToken = jwt({ exp: 2_000_000_000, token_use: 'id' });
    const fetchImpl = tokenAnswer({ id_token: idToken, access_token: 'a', expires_in: 3600 });
    const d = deps(fetchImpl);
    const state = (await startedSignIn(d)).searchParams.get('state')!;
    const { verifier } = JSON.parse(d.storage.data.get(PENDING_KEY)!) as { verifier: string };

    await expect(completeSignIn(COGNITO, callback({ code: 'the-code', state }), d)).resolves.toBe(idToken);

    expect(fetchImpl).toHaveBeenCalledTimes(1);
    const [url, init] = fetchImpl.mock.calls[0]!;
    expect(url).toBe(`${COGNITO.domain}/oauth2/token`);
    expect(init?.method).toBe('POST');
    expect(new Headers(init?.headers).get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(String(init?.body)))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'the-code',
      redirect_uri: CONSOLE,
      code_verifier: verifier,
    });
    expect(d.storage.data.has(PENDING_KEY)).toBe(false);
  });

  it('refuses a callback whose state this tab did not send, without calling the token endpoint', async () => {
    const fetchImpl = tokenAnswer({});
    const d = deps(fetchImpl);
    await startedSignIn(d);
    await expect(completeSignIn(COGNITO, callback({ code: 'c', state: 'forged' }), d)).rejects.toThrow(
      /state mismatch/,
    );
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('refuses a replayed callback: the pending sign-in is used once', async () => {
    const d = deps(tokenAnswer({ id_token: jwt({ exp: 2_000_000_000 }) }));
    const state = (await startedSignIn(d)).searchParams.get('state')!;
    await completeSignIn(COGNITO, callback({ code: 'c', state }), d);
    await expect(completeSignIn(COGNITO, callback({ code: 'c', state }), d)).rejects.toThrow(SignInError);
  });

  it("reports the Hosted UI's error", async () => {
    const d = deps();
    const state = (await startedSignIn(d)).searchParams.get('state')!;
    await expect(
      completeSignIn(
        COGNITO,
        callback({ error: 'access_denied', error_description: 'User is disabled', state }),
        d,
      ),
    ).rejects.toThrow('Sign-in failed: access_denied (User is disabled)');
  });

  it("reports the token endpoint's refusal", async () => {
    const d = deps(tokenAnswer({ error: 'invalid_grant' }, 400));
    const state = (await startedSignIn(d)).searchParams.get('state')!;
    await expect(completeSignIn(COGNITO, callback({ code: 'c', state }), d)).rejects.toThrow(/invalid_grant/);
  });

  it('refuses an answer without a usable ID token', async () => {
    const d = deps(tokenAnswer({ access_token: 'a' }));
    const state = (await startedSignIn(d)).searchParams.get('state')!;
    await expect(completeSignIn(COGNITO, callback({ code: 'c', state }), d)).rejects.toThrow(/ID token/);
  });

  it('recognises the callback URL', () => {
    expect(isSignInCallback(callback({ code: 'c', state: 's' }))).toBe(true);
    expect(isSignInCallback(callback({ error: 'x', state: 's' }))).toBe(true);
    expect(isSignInCallback(new URL(`${CONSOLE}#/streams/ABC`))).toBe(false);
  });
});

describe('token expiry', () => {
  const exp = 1_700_000_000;
  const token = jwt({ exp, sub: 'ü-user' });

  it('reads exp from the JWT payload (base64url, no padding)', () => {
    expect(tokenExpiry(token)).toBe(exp * 1000);
    expect(tokenExpiry('not-a-jwt')).toBeUndefined();
    expect(tokenExpiry(jwt({ sub: 'no exp' }))).toBeUndefined();
  });

  it('counts a token as expired a minute before its end, and a token without exp as expired', () => {
    expect(isExpired(token, exp * 1000 - 120_000)).toBe(false);
    expect(isExpired(token, exp * 1000 - 30_000)).toBe(true);
    expect(isExpired(token, exp * 1000 + 1)).toBe(true);
    expect(isExpired('garbage', 0)).toBe(true);
  });
});

describe('the API client with Cognito', () => {
  it('sends the ID token as the Authorization header, as the Cognito authorizer expects', () => {
    expect(new ApiClient('', 'eyJ.id.token', undefined, 'raw').authorization).toBe('eyJ.id.token');
    expect(new ApiClient('', 'local-token').authorization).toBe('Bearer local-token');
  });

  it('builds the Hosted UI logout URL back to the console', () => {
    const url = new URL(signOutUrl(COGNITO, CONSOLE));
    expect(`${url.origin}${url.pathname}`).toBe(`${COGNITO.domain}/logout`);
    expect(url.searchParams.get('client_id')).toBe('client123');
    expect(url.searchParams.get('logout_uri')).toBe(CONSOLE);
  });
});

describe('console-config.json with Cognito', () => {
  it('turns Cognito sign-in on with the settings the CDK app writes', () => {
    const config = parseConfig({
      apiBaseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1/',
      auth: 'cognito',
      mode: 'aws',
      cognito: { ...COGNITO, domain: `${COGNITO.domain}/` },
    });
    expect(config.auth).toBe('cognito');
    expect(config.apiBaseUrl).toBe('https://abc.execute-api.eu-west-1.amazonaws.com/v1');
    expect(config.cognito).toEqual(COGNITO);
  });

  it('falls back to token sign-in when the Cognito settings are incomplete or not https', () => {
    expect(parseConfig({ auth: 'cognito', cognito: { ...COGNITO, clientId: '' } })).toMatchObject({
      auth: 'token',
      cognito: null,
    });
    expect(
      parseConfig({ auth: 'cognito', cognito: { ...COGNITO, domain: 'http://evil.example.com' } }).cognito,
    ).toBeNull();
    expect(parseConfig({ auth: 'token', cognito: COGNITO }).cognito).toBeNull();
  });
});
