import { spawn } from 'node:child_process';
import path from 'node:path';
import { createTestStream } from '@takes/testing';

/** The launcher (`npm start`): a service that fails at start the same way, again and again, is given up on, saying why. */
describe('npm start and a service that cannot start', () => {
  it('gives up after three identical failures, names the cause, and exits 1', async () => {
    // A stream name of its own, so nothing a real stack uses is touched (the services stop before any side effect anyway).
    const stream = await createTestStream({ create: false });
    try {
      const child = spawn(process.execPath, [path.join(__dirname, 'start.mjs')], {
        cwd: path.join(__dirname, '..'),
        env: { ...process.env, TAKES_SUBJECT_PREFIX: 'nu', TAKES_STREAM_NAME: stream.stream },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(1);
      expect(output).toMatch(/failed 3 times in a row the same way: .*TAKES_SUBJECT_PREFIX must be .*"nu".*giving up/);
      expect(output).toContain('stopped');
    } finally {
      await stream.cleanup();
    }
  });
});
