/** Sign-in with the API token (local mode prints where it keeps it, never the token). */
import { describeError } from '../api-client.js';
import type { ConsoleConfig } from '../console-config.js';
import { field, h, showFieldError } from '../elements.js';

export interface SignInOptions {
  config: ConsoleConfig;
  /** Checks the token against the API; throws when it is refused. */
  signIn(token: string): Promise<void>;
  message?: string | undefined;
}

export function mountSignIn(main: HTMLElement, options: SignInOptions): () => void {
  const input = h('input', {
    id: 'api-token',
    attrs: { type: 'password', name: 'token', autocomplete: 'off', spellcheck: 'false', required: true },
  });
  const { wrapper, error } = field(
    'API token',
    input,
    options.config.mode === 'local'
      ? 'npm start keeps it in .data/api-token (or uses $API_TOKEN): cat .data/api-token'
      : 'The token your deployment issues for this API.',
  );
  const submit = h('button', { attrs: { type: 'submit' }, text: 'Sign in' });
  const form = h(
    'form',
    { class: 'card narrow', attrs: { 'aria-labelledby': 'sign-in-title', novalidate: true } },
    wrapper,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) {
      showFieldError(input, error, 'Enter the API token.');
      input.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      await options.signIn(token);
    } catch (e) {
      showFieldError(input, error, describeError(e));
      input.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  main.replaceChildren(
    h('h1', { id: 'sign-in-title', attrs: { tabindex: -1 }, text: 'Sign in' }),
    options.message ? h('p', { class: 'notice', attrs: { role: 'status' }, text: options.message }) : '',
    h('p', {
      text: 'The console uses the live-streaming API with your token. It is kept for this tab only.',
    }),
    form,
  );
  input.focus();
  return () => undefined;
}
