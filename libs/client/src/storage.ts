/** One change to storage: a value put under a key, or a key deleted. */
export type StorageChange = { key: string; value: unknown } | { key: string; delete: true };

/**
 * Where the client keeps what must survive a restart: the outbox, the server's copies of
 * records, the sync cursor, the device id. Keys are strings such as `outbox/000000000012`;
 * values are JSON. Three implementations: memory (tests, short-lived tools), IndexedDB
 * (browsers) and a file (Node, from `@takes/client/node`).
 */
export interface ClientStorage {
  /** The value under a key, or undefined. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Every entry whose key starts with the prefix, in key order. */
  entries<T = unknown>(prefix: string): Promise<Array<[string, T]>>;
  /** Applies the changes all together or not at all: after a crash, either every change is there or none. */
  write(changes: StorageChange[]): Promise<void>;
  /** Releases the storage (closes the database or file). */
  close(): Promise<void>;
}

/** Keeps everything in memory; gone with the process. Values are copied in and out, as a real store would. */
export class MemoryStorage implements ClientStorage {
  private readonly data = new Map<string, string>();

  async get<T>(key: string): Promise<T | undefined> {
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  async entries<T>(prefix: string): Promise<Array<[string, T]>> {
    return [...this.data.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort()
      .map((key) => [key, JSON.parse(this.data.get(key)!) as T]);
  }

  async write(changes: StorageChange[]): Promise<void> {
    for (const change of changes) {
      if ('delete' in change) this.data.delete(change.key);
      else this.data.set(change.key, JSON.stringify(change.value));
    }
  }

  async close(): Promise<void> {}
}
