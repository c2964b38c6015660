/**
 * The console's shell: runtime config, sign-in, hash routing between the pages. Only the API's
 * origin is called (plus the stream's own viewer endpoints, by the player).
 */
import './styles.css';
import { ApiClient, ApiError } from './api-client.js';
import { type ApiFeatures, detectFeatures, NO_FEATURES } from './api-features.js';
import {
  beginSignIn,
  completeSignIn,
  isExpired,
  isSignInCallback,
  redirectUriOf,
  type SignInDeps,
  signOutUrl,
} from './cognito-sign-in.js';
import { loadConfig } from './console-config.js';
import type { ConsoleContext } from './console-context.js';
import { h } from './elements.js';
import { hrefOf, parseRoute, type Route } from './routes.js';
import { clearToken, readToken, saveToken } from './token-storage.js';
import { mountCognitoSignIn } from './views/cognito-sign-in-view.js';
import { mountCreateStream } from './views/create-stream-view.js';
import { mountSignIn } from './views/sign-in-view.js';
import { mountStreamList } from './views/stream-list-view.js';
import { mountStream } from './views/stream-view.js';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const config = await loadConfig();

let api: ApiClient | undefined;
let features: ApiFeatures = NO_FEATURES;
let cleanup: (() => void) | undefined;
let signInMessage: string | undefined;

const cognito = config.cognito;

function browserDeps(): SignInDeps {
  return {
    storage: sessionStorage,
    randomBytes: (bytes) => crypto.getRandomValues(bytes),
    sha256: (data) => crypto.subtle.digest('SHA-256', data),
    fetch: (...args) => fetch(...args),
  };
}

function client(token: string): ApiClient {
  return new ApiClient(
    config.apiBaseUrl,
    token,
    () =>
      signOut(
        cognito ? 'Your session has expired: sign in again.' : 'The API refused the token: sign in again.',
      ),
    cognito ? 'raw' : 'bearer',
  );
}

/** Signed in with the user pool: keep the ID token, and sign out when it expires. */
async function useIdToken(idToken: string): Promise<void> {
  saveToken(idToken);
  api = client(idToken);
  features = await detect(api);
  signInMessage = undefined;
  scheduleExpiry(idToken);
}

let expiryTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleExpiry(idToken: string) {
  clearTimeout(expiryTimer);
  // Checked every 30 s rather than one long timer: a sleeping laptop does not fire timers on time.
  expiryTimer = setInterval(() => {
    if (isExpired(idToken, Date.now())) {
      clearInterval(expiryTimer);
      signOut('Your session has expired: sign in again.');
    }
  }, 30_000);
}

async function signIn(token: string): Promise<void> {
  const candidate = new ApiClient(config.apiBaseUrl, token);
  try {
    await candidate.listStreams(1);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new Error('The API refused this token.');
    throw error;
  }
  saveToken(token);
  api = client(token);
  features = await detect(api);
  signInMessage = undefined;
  render();
}

async function detect(client: ApiClient): Promise<ApiFeatures> {
  try {
    return detectFeatures(await client.openApi());
  } catch {
    return NO_FEATURES;
  }
}

function signOut(message?: string) {
  clearInterval(expiryTimer);
  clearToken();
  api = undefined;
  signInMessage = message;
  render();
}

function navigate(route: Route) {
  const href = hrefOf(route);
  if (location.hash === href) render();
  else location.hash = href;
}

function render() {
  cleanup?.();
  cleanup = undefined;
  if (!api) {
    nav.replaceChildren();
    document.title = 'Sign in · Live streams console';
    cleanup = cognito
      ? mountCognitoSignIn(main, {
          message: signInMessage,
          signIn: async () => {
            location.assign(await beginSignIn(cognito, redirectUriOf(location), browserDeps()));
          },
        })
      : mountSignIn(main, { config, signIn, message: signInMessage });
    return;
  }
  const signOutButton = h('button', { class: 'link', attrs: { type: 'button' }, text: 'Sign out' });
  signOutButton.addEventListener('click', () => {
    signOut('Signed out.');
    // Ends the Hosted UI session too, or the next sign-in would not ask for the password.
    if (cognito) location.assign(signOutUrl(cognito, redirectUriOf(location)));
  });
  nav.replaceChildren(
    h('a', { attrs: { href: hrefOf({ page: 'streams' }) }, text: 'Streams' }),
    h('a', { attrs: { href: hrefOf({ page: 'create' }) }, text: 'New stream' }),
    signOutButton,
  );
  const context: ConsoleContext = { api, config, features, navigate };
  const route = parseRoute(location.hash);
  switch (route.page) {
    case 'create':
      document.title = 'New stream · Live streams console';
      cleanup = mountCreateStream(main, context);
      break;
    case 'stream':
      document.title = 'Stream · Live streams console';
      cleanup = mountStream(main, context, route.id);
      break;
    default:
      document.title = 'Streams · Live streams console';
      cleanup = mountStreamList(main, context);
  }
  // Route changes move focus to the page's heading, as a page load would for screen readers.
  main.querySelector<HTMLElement>('h1')?.focus();
}

window.addEventListener('hashchange', render);

const here = new URL(location.href);
if (cognito && isSignInCallback(here)) {
  // The code is single-use and must not stay in the address bar or the history.
  history.replaceState(null, '', `${here.pathname}${here.hash}`);
  try {
    await useIdToken(await completeSignIn(cognito, here, browserDeps()));
  } catch (error) {
    signInMessage = error instanceof Error ? error.message : String(error);
  }
} else {
  const saved = readToken();
  if (saved && cognito && isExpired(saved, Date.now())) {
    clearToken();
    signInMessage = 'Your session has expired: sign in again.';
  } else if (saved) {
    if (cognito) await useIdToken(saved);
    else {
      api = client(saved);
      features = await detect(api);
    }
  }
}
render();
