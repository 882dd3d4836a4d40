import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '@takes/testing';

/**
 * The services' logger writes stdout asynchronously; what it was given is still written
 * when the process ends at once after it (process.exit, as a fatal start-up error does).
 */
describe('service logger', () => {
  it('writes every line logged before process.exit, in order', () => {
    const logger = path.join(projectRoot, 'dist/libs/observability/src/logger.js');
    const script = `const log = require(${JSON.stringify(logger)}).createLogger('probe');
      for (let i = 0; i < 500; i += 1) log.info({ i }, 'line');
      log.error('last words');
      process.exit(3);`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.status).toBe(3);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toHaveLength(501);
    expect(lines.slice(0, 500).map((line) => line.i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(lines[500]).toMatchObject({ service: 'probe', msg: 'last words', level: 50 });
  });

  it('writes a line logged alone while the process goes on (lines wait for a block, or for the next flush)', async () => {
    const logger = path.join(projectRoot, 'dist/libs/observability/src/logger.js');
    const script = `const log = require(${JSON.stringify(logger)}).createLogger('probe');
      log.info('alone');
      setInterval(() => undefined, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          if (out.includes('\n')) resolve(out.trim());
        });
        child.on('exit', (code) => reject(new Error(`the probe ended (${code}) before writing its line`)));
      });
      expect(JSON.parse(line)).toMatchObject({ service: 'probe', msg: 'alone' });
    } finally {
      child.kill();
    }
  });
});
