import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '@takes/testing';
import { storageBehaviour } from './behaviour/storage-behaviour';

// The storage behaviour suite (behaviour/storage-behaviour.ts, run on memory and file
// storage in behaviour/storage-behaviour.int.spec.ts) against IndexedDB in Debian's Chromium.
const root = path.resolve(__dirname, '../../..');

describe('client storage: IndexedDB in Chromium', () => {
  let browser: Browser;
  let server: http.Server;
  let outcomes: Array<{ name: string; ok: boolean; error?: string }>;

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(root, 'libs/client/build/behaviour-page.mjs')], { cwd: root, stdio: 'pipe' });
    const script = readFileSync(path.join(root, 'dist/client-behaviour/behaviour.js'));
    server = http.createServer((req, res) => {
      if (req.url === '/behaviour.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/behaviour.js"></script>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    outcomes = await page.evaluate(() => (globalThis as unknown as { runBehaviour: () => Promise<typeof outcomes> }).runBehaviour());
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('ran every case of the suite', () => {
    expect(outcomes.map((o) => o.name)).toEqual(storageBehaviour.map((c) => c.name));
  });

  it.each(storageBehaviour.map((c) => c.name))('%s', (name) => {
    const outcome = outcomes.find((o) => o.name === name)!;
    expect(outcome.error ?? 'passed').toBe('passed');
  });
});
