/**
 * The console's shell: runtime config, sign-in, hash routing between the pages. Only the API's
 * origin is called (plus the stream's own viewer endpoints, by the player).
 */
import './styles.css';
import { ApiClient, ApiError } from './api-client.js';
import { type ApiFeatures, detectFeatures, NO_FEATURES } from './api-features.js';
import { loadConfig } from './console-config.js';
import type { ConsoleContext } from './console-context.js';
import { h } from './elements.js';
import { hrefOf, parseRoute, type Route } from './routes.js';
import { clearToken, readToken, saveToken } from './token-storage.js';
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

function client(token: string): ApiClient {
  return new ApiClient(config.apiBaseUrl, token, () => signOut('The API refused the token: sign in again.'));
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
    cleanup = mountSignIn(main, { config, signIn, message: signInMessage });
    return;
  }
  const signOutButton = h('button', { class: 'link', attrs: { type: 'button' }, text: 'Sign out' });
  signOutButton.addEventListener('click', () => signOut('Signed out.'));
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

const saved = readToken();
if (saved) {
  api = client(saved);
  features = await detect(api);
}
render();
