import { IndexedDbStorage, TakesClient } from '@takes/client';
import { loadConfig, type FieldAppConfig } from './config';
import { InspectionView } from './inspection-view';

// The field app: inspections kept on the device in IndexedDB, edited offline, synced when
// the network is back. Each browser profile is one device.

const status = document.getElementById('status')!;
const root = document.getElementById('app')!;

async function start(): Promise<void> {
  const config = await loadConfig();
  const storage = await IndexedDbStorage.open(`takes-field-${config.app}`);
  const client = await TakesClient.open({ baseUrl: config.apiUrl, app: config.app, storage, pushDelayMs: 500, pullIntervalMs: 5_000 });
  client.on('status', (s) => {
    status.textContent = `${s.online ? 'online' : 'offline'} · ${s.pending} pending${s.syncing ? ' · syncing' : ''}${s.lastError && s.online ? ' · retrying' : ''}`;
    status.className = s.online ? 'online' : 'offline';
    status.dataset.pending = String(s.pending);
  });
  status.textContent = `${client.status.online ? 'online' : 'offline'} · ${client.status.pending} pending`;
  status.dataset.pending = String(client.status.pending);
  if (!(await storage.get('meta/tokens'))) await signIn(config, client);
  new InspectionView(root, client, config).show();
  client.sync().catch(() => undefined);
}

/** The app's login (the user's session is then kept, and refreshed, by the client). */
function signIn(config: FieldAppConfig, client: TakesClient): Promise<void> {
  root.innerHTML = `
    <form id="login" aria-label="Sign in">
      <label>Email <input name="email" type="email" autocomplete="username" required value="admin@localhost"></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit">Sign in</button>
      <p id="login-error" role="alert"></p>
    </form>`;
  const form = root.querySelector<HTMLFormElement>('#login')!;
  return new Promise((resolve) => {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      client
        .login(String(data.get('email')), String(data.get('password')))
        .then(resolve)
        .catch((error: Error) => {
          root.querySelector('#login-error')!.textContent = `Sign-in failed: ${error.message}`;
        });
    });
  });
}

void start();
