import { openDB, type IDBPDatabase } from 'idb';
import type { ClientStorage, StorageChange } from './storage';

const STORE = 'kv';

/**
 * Storage in the browser's IndexedDB (through idb), one object store of key → JSON value.
 * A write is one readwrite transaction, so it lands whole or not at all, across tabs and
 * crashes alike.
 */
export class IndexedDbStorage implements ClientStorage {
  private constructor(private readonly db: IDBPDatabase) {}

  /** Opens (or creates) the database `name`; one per app and user is the usual choice. */
  static async open(name = 'takes-client'): Promise<IndexedDbStorage> {
    const db = await openDB(name, 1, {
      upgrade(database) {
        database.createObjectStore(STORE);
      },
    });
    return new IndexedDbStorage(db);
  }

  async get<T>(key: string): Promise<T | undefined> {
    return (await this.db.get(STORE, key)) as T | undefined;
  }

  async entries<T>(prefix: string): Promise<Array<[string, T]>> {
    // Every key that starts with the prefix sorts between it and the prefix followed by the highest code unit.
    const range = (globalThis as unknown as { IDBKeyRange: { bound(lower: string, upper: string): never } }).IDBKeyRange.bound(prefix, `${prefix}\uffff`);
    const tx = this.db.transaction(STORE, 'readonly');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range)]);
    await tx.done;
    return keys.map((key, i) => [String(key), values[i] as T]);
  }

  async write(changes: StorageChange[]): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    for (const change of changes) {
      if ('delete' in change) void tx.store.delete(change.key);
      else void tx.store.put(change.value, change.key);
    }
    await tx.done;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
