import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStorage } from '../file-storage';
import { MemoryStorage } from '../storage';
import { storageBehaviour, type OpenStorage } from './storage-behaviour';

// The same suite runs against IndexedDB in Chromium: services/conflicts/src/review/client-storage.e2e.spec.ts.
const implementations: Array<[string, () => { open: OpenStorage; done(): void }]> = [
  [
    'memory',
    () => {
      // One store for the whole case: a "reopen" finds what the last one left, as a long-lived app would.
      const storage = new MemoryStorage();
      return { open: async () => storage, done: () => undefined };
    },
  ],
  [
    'file',
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'takes-client-'));
      return { open: () => FileStorage.open(path.join(dir, 'device', 'takes.json')), done: () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];

describe.each(implementations)('client storage: %s', (_name, make) => {
  it.each(storageBehaviour.map((c) => [c.name, c] as const))('%s', async (_title, behaviour) => {
    const { open, done } = make();
    try {
      await behaviour.run(open);
    } finally {
      done();
    }
  });
});
