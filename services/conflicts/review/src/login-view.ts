import { el } from './dom';
import { Gateway, GatewayError } from './gateway';
import type { Session } from './session';

/** The login form: app, email, password; on success hands the session on. */
export function loginView(apiUrl: string, lastApp: string, onLogin: (session: Session) => void): HTMLElement {
  const error = el('p', { class: 'error', role: 'alert' });
  const app = el('input', { id: 'login-app', name: 'app', required: true, value: lastApp, autocomplete: 'organization' });
  const email = el('input', { id: 'login-email', name: 'email', type: 'email', required: true, autocomplete: 'username' });
  const password = el('input', { id: 'login-password', name: 'password', type: 'password', required: true, autocomplete: 'current-password' });
  const submit = el('button', { type: 'submit' }, 'Log in');
  const form = el(
    'form',
    {
      class: 'login',
      'aria-labelledby': 'login-title',
      onSubmit: async (event: SubmitEvent) => {
        event.preventDefault();
        error.textContent = '';
        submit.disabled = true;
        try {
          onLogin(await Gateway.login(apiUrl, app.value.trim(), email.value.trim(), password.value));
        } catch (failure) {
          error.textContent = failure instanceof GatewayError && failure.status === 401 ? 'Wrong email or password.' : (failure as Error).message;
          password.focus();
        } finally {
          submit.disabled = false;
        }
      },
    },
    el('h1', { id: 'login-title' }, 'Review the takes'),
    el('label', { for: 'login-app' }, 'App'),
    app,
    el('label', { for: 'login-email' }, 'Email'),
    email,
    el('label', { for: 'login-password' }, 'Password'),
    password,
    submit,
    error,
    el('p', { class: 'hint' }, `Gateway: ${apiUrl}`),
  );
  queueMicrotask(() => (app.value ? email : app).focus());
  return form;
}
