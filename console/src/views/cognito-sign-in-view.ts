/** Sign-in with the deployment's user pool: one button to the Hosted UI (OAuth code flow + PKCE). */
import { h } from '../elements.js';

export interface CognitoSignInOptions {
  /** Goes to the Hosted UI; throws when it cannot start. */
  signIn(): Promise<void>;
  message?: string | undefined;
}

export function mountCognitoSignIn(main: HTMLElement, options: CognitoSignInOptions): () => void {
  const button = h('button', { attrs: { type: 'button' }, text: 'Sign in' });
  const error = h('p', { class: 'field-error', attrs: { role: 'alert' } });
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = 'Redirecting…';
    try {
      await options.signIn();
    } catch (e) {
      error.textContent = e instanceof Error ? e.message : String(e);
      button.disabled = false;
      button.textContent = 'Sign in';
    }
  });
  main.replaceChildren(
    h('h1', { id: 'sign-in-title', attrs: { tabindex: -1 }, text: 'Sign in' }),
    options.message ? h('p', { class: 'notice', attrs: { role: 'status' }, text: options.message }) : '',
    h(
      'div',
      { class: 'card narrow', attrs: { 'aria-labelledby': 'sign-in-title' } },
      h('p', {
        text: "Sign in with your operator account (email, password and MFA code) on this deployment's sign-in page. The session is kept for this tab only.",
      }),
      h('div', { class: 'actions' }, button),
      error,
    ),
  );
  button.focus();
  return () => undefined;
}
