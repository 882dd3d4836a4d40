import type { LocalRecord } from './local-state';

/** Called with a record's local state (null once deleted or unknown). */
export type RecordListener<T = Record<string, unknown>> = (state: T | null) => void;
/** Called with the records of an entity that match a query, in key order. */
export type QueryListener<T = Record<string, unknown>> = (records: T[]) => void;

interface QueryWatch {
  entity: string;
  where: (record: Record<string, unknown>) => boolean;
  listener: QueryListener<any>;
}

/** Who listens to which record or query; told which records changed, it calls each listener concerned once. */
export class Listeners {
  private readonly records = new Map<string, Set<RecordListener<any>>>();
  private readonly queries = new Set<QueryWatch>();

  onRecord(key: string, listener: RecordListener<any>): () => void {
    const set = this.records.get(key) ?? new Set();
    set.add(listener);
    this.records.set(key, set);
    return () => set.delete(listener);
  }

  onQuery(watch: QueryWatch): () => void {
    this.queries.add(watch);
    return () => this.queries.delete(watch);
  }

  /**
   * Tells the listeners of the changed records (keys `entity/id`) and of the queries on
   * their entities. `local` gives a record's state; `list` an entity's live records.
   */
  changed(keys: Iterable<string>, local: (key: string) => LocalRecord | undefined, list: (entity: string) => Record<string, unknown>[]): void {
    const entities = new Set<string>();
    for (const key of keys) {
      entities.add(key.slice(0, key.indexOf('/')));
      const set = this.records.get(key);
      if (!set || set.size === 0) continue;
      const record = local(key);
      const state = record && !record.deleted ? record.state : null;
      for (const listener of [...set]) listener(state);
    }
    // Each entity's records are listed once, however many queries watch it.
    const lists = new Map<string, Record<string, unknown>[]>();
    for (const watch of [...this.queries]) {
      if (!entities.has(watch.entity)) continue;
      if (!lists.has(watch.entity)) lists.set(watch.entity, list(watch.entity));
      watch.listener(lists.get(watch.entity)!.filter(watch.where));
    }
  }
}
