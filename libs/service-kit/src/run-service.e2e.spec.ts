import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, projectRoot } from '@takes/testing';

/**
 * A service stopped with SIGTERM runs its shutdown hooks and ends with code 0, and what
 * it logged on the way out reaches stdout (logs are written in blocks, so a process
 * killed by the signal itself would lose the last of them).
 */
describe('runService on SIGTERM', () => {
  it('logs its shutdown hooks\' lines, then exits 0', async () => {
    const runService = path.join(projectRoot, 'dist/libs/service-kit/src/run-service.js');
    const port = await freePort();
    const script = `const { runService } = require(${JSON.stringify(runService)});
      runService({
        name: 'probe',
        loadConfig: () => ({}),
        httpPort: () => ${port},
        module: (_config, logger) => ({
          module: class ProbeModule {},
          providers: [{ provide: 'farewell', useFactory: () => ({ onApplicationShutdown: (signal) => logger.info({ signal }, 'farewell from the hooks') }) }],
        }),
      });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      await new Promise<void>((resolve, reject) => {
        const check = () => (out.includes('probe ready') ? resolve() : undefined);
        child.stdout.on('data', check);
        void exited.then(() => reject(new Error(`the probe ended before it was ready:\n${out}`)));
      });
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 0, signal: null });
      const lines = out.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; signal?: string });
      expect(lines.find((line) => line.msg === 'farewell from the hooks')).toMatchObject({ signal: 'SIGTERM' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
