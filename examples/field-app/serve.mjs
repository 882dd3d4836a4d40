// `npm run example`: the field app, with Takes behind it.
//
// 1. Builds the app (Vite) into dist/examples/field-app.
// 2. If no gateway answers at TAKES_URL (default http://127.0.0.1:8080), starts Takes as
//    `npm start` does, and stops it again on Ctrl-C.
// 3. Defines the `inspection` entity (the README's first session's) if the app lacks it,
//    signed in as TAKES_ADMIN_EMAIL / TAKES_ADMIN_PASSWORD (admin@localhost / changeme).
// 4. Serves the app at http://localhost:${TAKES_EXAMPLE_PORT:-5173}/ with a config.json
//    naming the gateway and the review page (TAKES_REVIEW_URL, default port 8083 /review/).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import config from './vite.config.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const out = config.build.outDir;
const env = process.env;
const apiUrl = (env.TAKES_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const app = env.TAKES_APP ?? 'main';
const port = Number(env.TAKES_EXAMPLE_PORT ?? 5173);
const log = (message) => process.stdout.write(`example | ${message}\n`);

const INSPECTION = {
  name: 'inspection',
  table: 'inspections',
  fields: [
    { name: 'id', type: 'uuid' },
    { name: 'site', type: 'string', required: true },
    { name: 'pressure', type: 'decimal', precision: 2 },
    { name: 'status', type: 'string', enum: ['draft', 'done'], default: 'draft' },
  ],
};

async function answers(url) {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

async function startTakesIfDown() {
  if (await answers(`${apiUrl}/health`)) return undefined;
  log(`no gateway at ${apiUrl}: starting Takes (npm start)`);
  const child = spawn('npm', ['start'], { cwd: root, stdio: 'inherit', detached: true });
  for (let i = 0; i < 240 && !(await answers(`${apiUrl}/ready`)); i += 1) await new Promise((r) => setTimeout(r, 500));
  return child;
}

async function api(method, route, token, body) {
  const response = await fetch(`${apiUrl}/api/${app}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json().catch(() => undefined) };
}

async function defineInspection() {
  const login = await api('POST', '/auth/login', undefined, { email: env.TAKES_ADMIN_EMAIL ?? 'admin@localhost', password: env.TAKES_ADMIN_PASSWORD ?? 'changeme' });
  if (login.status !== 200) throw new Error(`admin login failed (${login.status}): set TAKES_ADMIN_EMAIL and TAKES_ADMIN_PASSWORD`);
  const token = login.body.data.access_token;
  if ((await api('GET', '/_admin/entities/inspection', token)).status === 200) return;
  const created = await api('POST', '/_admin/entities', token, INSPECTION);
  if (created.status !== 201) throw new Error(`defining inspection failed (${created.status}): ${JSON.stringify(created.body)}`);
  log('defined the inspection entity');
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.json': 'application/json', '.svg': 'image/svg+xml' };

function serve() {
  const settings = JSON.stringify({ apiUrl, app, reviewUrl: env.TAKES_REVIEW_URL ?? apiUrl.replace(/:\d+$/, ':8083') + '/review/' });
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/config.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(settings);
    const file = path.normalize(path.join(out, url.pathname === '/' ? 'index.html' : url.pathname));
    if (!file.startsWith(out + path.sep)) return res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

await build(config);
const takes = await startTakesIfDown();
await defineInspection();
const server = await serve();
log(`field app at http://localhost:${server.address().port}/ (gateway ${apiUrl})`);
const stop = () => {
  server.close();
  if (takes) process.kill(-takes.pid, 'SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
