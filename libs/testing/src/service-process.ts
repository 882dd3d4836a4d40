import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './free-port';
import { projectRoot } from './project-root';

const root = projectRoot;

export interface ServiceProcess {
  name: string;
  httpPort: number;
  child: ChildProcess;
  /** Everything the process printed so far (pino JSON lines). */
  output(): string;
  /** SIGKILL: the process dies without any cleanup, as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Variables added to the environment (TAKES_DATABASE_URL, TAKES_SUBJECT_PREFIX, ...). */
  env: Record<string, string>;
  /** The variable that names the service's HTTP port, e.g. TAKES_EVENT_STORE_HTTP_PORT. */
  httpPortVar: string;
  /** The HTTP port (a free one when absent), for a service whose URL another must know before it starts. */
  httpPort?: number;
  readyTimeoutMs?: number;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a built service (`dist/services/<name>/src/main.js`) as its own process, as a
 * deployment would, and waits until its /ready answers 200.
 */
export async function startService(name: string, options: StartOptions): Promise<ServiceProcess> {
  const httpPort = options.httpPort ?? (await freePort());
  // TAKES_SERVICE_NODE_ARGS adds node flags to every service started here (e.g. --cpu-prof);
  // TAKES_SERVICE_LOG_LEVEL sets their log level (warn: tests read errors, not every request).
  const nodeArgs = (process.env.TAKES_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, path.join(root, 'dist/services', name, 'src/main.js')], {
    cwd: root,
    env: { ...process.env, TAKES_LOG_LEVEL: process.env.TAKES_SERVICE_LOG_LEVEL ?? 'warn', ...options.env, [options.httpPortVar]: String(httpPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const service: ServiceProcess = {
    name,
    httpPort,
    child,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${httpPort}/ready`);
      if (response.status === 200) return service;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await service.kill();
  throw new Error(`${name} was not ready in time:\n${output}`);
}
