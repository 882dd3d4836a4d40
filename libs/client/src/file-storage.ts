import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { ClientStorage, StorageChange } from './storage';

/**
 * Storage in one JSON file, for Node (tools, desktop apps, tests). Every write replaces
 * the file whole: the new content goes to a temporary file, is flushed to disk, and is
 * renamed over the old one, so a crash at any moment leaves either the old file or the
 * new one, never half of each. Writes are queued one after another.
 */
export class FileStorage implements ClientStorage {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly data: Map<string, unknown>,
  ) {}

  static async open(file: string): Promise<FileStorage> {
    await mkdir(path.dirname(file), { recursive: true });
    let data = new Map<string, unknown>();
    try {
      data = new Map(Object.entries(JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return new FileStorage(file, data);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const value = this.data.get(key);
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  async entries<T>(prefix: string): Promise<Array<[string, T]>> {
    return [...this.data.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort()
      .map((key) => [key, structuredClone(this.data.get(key)) as T]);
  }

  write(changes: StorageChange[]): Promise<void> {
    const next = this.queue.then(() => this.persist(changes));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async persist(changes: StorageChange[]): Promise<void> {
    const after = new Map(this.data);
    for (const change of changes) {
      if ('delete' in change) after.delete(change.key);
      else after.set(change.key, structuredClone(change.value));
    }
    const temporary = `${this.file}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(JSON.stringify(Object.fromEntries(after)));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
    this.data.clear();
    for (const [key, value] of after) this.data.set(key, value);
  }

  async close(): Promise<void> {
    await this.queue;
  }
}
