import './review.css';
import { el } from './dom';
import { Gateway, GatewayError, type QueueFilters } from './gateway';
import { loginView } from './login-view';
import { PickHistory } from './pick-history';
import { queueHash, queueView } from './queue-view';
import { recordView, type RecordView } from './record-view';
import { loadSession, saveSession, userIdOf, type Session } from './session';

/** The review page: log in, the queue of contested records, a record's takes. Routes live in the URL's hash. */

interface PageConfig {
  api_url: string | null;
}

const header = document.getElementById('top')!;
const main = document.getElementById('view')!;
const status = document.getElementById('status')!;
const picks = new PickHistory();
let current: RecordView | null = null;
let apiUrl = '';

function say(message: string, kind: 'info' | 'error' = 'info'): void {
  status.textContent = message;
  status.className = kind;
}

async function pageConfig(): Promise<PageConfig> {
  try {
    const response = await fetch(`${import.meta.env.BASE_URL}config.json`);
    if (response.ok) return (await response.json()) as PageConfig;
  } catch {
    // served without the conflicts service (vite dev): use the default
  }
  return { api_url: null };
}

function sessionChanged(session: Session | null): void {
  saveSession(session);
  if (!session) location.hash = '#/login';
}

function drawHeader(gateway: Gateway | null): void {
  header.replaceChildren(el('span', { class: 'brand' }, 'Takes · review'));
  if (!gateway) return;
  const email = emailOf(gateway.accessToken);
  header.append(
    el(
      'nav',
      { 'aria-label': 'Page' },
      el('span', {}, `app ${gateway.app}${email ? ` · ${email}` : ''}`),
      el('a', { href: queueHash({}) }, 'Queue'),
      el('button', { type: 'button', onClick: () => void gateway.logout() }, 'Log out'),
    ),
  );
}

function emailOf(token: string): string | null {
  try {
    const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { email?: unknown };
    return typeof claims.email === 'string' ? claims.email : null;
  } catch {
    return null;
  }
}

/** Draws the view the hash names: `#/login`, `#/queue?entity=…`, `#/record/<entity>/<id>`. */
async function route(): Promise<void> {
  current?.dispose();
  current = null;
  const session = loadSession();
  const hash = location.hash.slice(1) || '/queue';
  if (!session || hash === '/login') {
    saveSession(null);
    drawHeader(null);
    main.replaceChildren(
      loginView(apiUrl, localStorage.getItem('takes-review-app') ?? 'main', (next) => {
        localStorage.setItem('takes-review-app', next.app);
        saveSession(next);
        say('');
        // A link to a record (from a field app) leads to that record once signed in.
        const wanted = hash.startsWith('/record/') ? `#${hash}` : queueHash({});
        if (location.hash === wanted) void route();
        else location.hash = wanted;
      }),
    );
    return;
  }
  const gateway = new Gateway(apiUrl, session, sessionChanged);
  drawHeader(gateway);
  main.setAttribute('aria-busy', 'true');
  try {
    const record = /^\/record\/([^/]+)\/([^/?]+)$/.exec(hash);
    if (record) {
      const view = recordView(gateway, decodeURIComponent(record[1]), decodeURIComponent(record[2]), picks, say, userIdOf(session.accessToken));
      current = view;
      main.replaceChildren(view.element);
      await view.start();
    } else {
      const query = new URLSearchParams(hash.split('?')[1] ?? '');
      const filters: QueueFilters = Object.fromEntries(['entity', 'user', 'device', 'min_age', 'page'].map((name) => [name, query.get(name) ?? '']));
      main.replaceChildren(await queueView(gateway, filters));
    }
    main.querySelector<HTMLElement>('h1')?.setAttribute('tabindex', '-1');
    main.querySelector<HTMLElement>('h1')?.focus();
  } catch (error) {
    if (error instanceof GatewayError && error.status === 401) return;
    main.replaceChildren(el('p', { class: 'error', role: 'alert' }, (error as Error).message), el('p', {}, el('a', { href: queueHash({}) }, 'Back to the queue')));
  } finally {
    main.removeAttribute('aria-busy');
  }
}

void (async () => {
  const config = await pageConfig();
  apiUrl = (config.api_url ?? `${location.protocol}//${location.hostname}:8080`).replace(/\/+$/, '');
  window.addEventListener('hashchange', () => void route());
  await route();
})();
