// The storage behaviour suite in a browser page, against IndexedDB (libs/client/src/indexeddb-storage.e2e.spec.ts
// opens the page and calls runBehaviour). Each case gets a database of its own.
import { storageBehaviour } from './storage-behaviour';
import { IndexedDbStorage } from '../indexeddb-storage';

type Outcome = { name: string; ok: boolean; error?: string };

(globalThis as unknown as { runBehaviour: () => Promise<Outcome[]> }).runBehaviour = async () => {
  const outcomes: Outcome[] = [];
  for (const [i, behaviour] of storageBehaviour.entries()) {
    const database = `behaviour-${i}-${Date.now()}`;
    try {
      await behaviour.run(() => IndexedDbStorage.open(database));
      outcomes.push({ name: behaviour.name, ok: true });
    } catch (error) {
      outcomes.push({ name: behaviour.name, ok: false, error: String((error as Error).stack ?? error) });
    }
  }
  return outcomes;
};
