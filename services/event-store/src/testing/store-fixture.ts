import type { Kysely } from 'kysely';
import type { AppendCommand, AppendResult, Reply } from '@takes/contracts';
import { createDatabase, migrateSchema, type Database } from '@takes/db';
import { commandFingerprint } from '@takes/decide';
import { uuidv7 } from '@takes/ids';
import { createTestDatabase, type TestDatabase } from '@takes/testing';
import { MetaStateCache } from '@takes/metadata';
import { GroupCommitter, type GroupCommitOptions } from '../append/group-commit';
import { EVENT_STORE_SCHEMA, eventStoreMigrations } from '../migrations';
import type { EventStoreDb } from '../tables/event-store.db';
import type { EventRow } from '../append/batch-write';
import type { Relay } from '../relay/relay';
import { defineTestEntity } from './test-entity';

/** An event store's storage side, in-process, on a database of its own (for *.int.spec.ts). */
export interface StoreFixture {
  testDb: TestDatabase;
  database: Database<EventStoreDb>;
  db: Kysely<EventStoreDb>;
  committer: GroupCommitter;
  /** From now on, what this store commits is handed to the relay (as the service wires it). */
  handTo(relay: Pick<Relay, 'handOff'> | undefined): void;
  append(command: Partial<AppendCommand> & Pick<AppendCommand, 'entity_id' | 'op'>): Promise<Reply<AppendResult>>;
  eventCount(): Promise<number>;
  close(): Promise<void>;
}

export const testUser = { id: 'tester', roles: ['admin'] };

export async function createStoreFixture(
  label: string,
  options: {
    url?: string;
    poolMax?: number;
    acquireTimeoutMs?: number;
    groupCommit?: Partial<GroupCommitOptions>;
    snapshotEvery?: number;
    /** Told the size of each group committed. */
    onBatch?: (size: number) => void;
  } = {},
): Promise<StoreFixture> {
  const testDb = await createTestDatabase(label);
  const migrator = createDatabase<EventStoreDb>({ url: testDb.url });
  await migrateSchema(migrator.db, { url: testDb.url, schema: EVENT_STORE_SCHEMA, migrations: eventStoreMigrations });
  await migrator.close();
  const database = createDatabase<EventStoreDb>({
    url: options.url ? options.url.replace('{db}', new URL(testDb.url).pathname.slice(1)) : testDb.url,
    poolMax: options.poolMax ?? 10,
    acquireTimeoutMs: options.acquireTimeoutMs ?? 2_000,
  });
  const db = database.db.withSchema(EVENT_STORE_SCHEMA);
  let relay: Pick<Relay, 'handOff'> | undefined;
  const committed = (rows: EventRow[]) => relay?.handOff(rows);
  const committer = new GroupCommitter(database.pool, { newId: uuidv7, limits: { maxEventBytes: 512 * 1024 }, snapshotEvery: options.snapshotEvery ?? 100, committed, metaStates: new MetaStateCache() }, {
    maxBatch: 128,
    lanes: 4,
    maxQueued: 2_000,
    queueTimeoutMs: 3_000,
    ...options.groupCommit,
  }, { onBatch: (size) => options.onBatch?.(size) });
  const defined = await committer.submit({ command: defineTestEntity('inspection'), fingerprint: commandFingerprint(defineTestEntity('inspection')) });
  if (!('data' in defined)) throw new Error(`cannot define the test entity: ${JSON.stringify(defined)}`);
  let counter = 0;
  return {
    testDb,
    database,
    db,
    committer,
    handTo: (target) => {
      relay = target;
    },
    append: (partial) => {
      const command: AppendCommand = {
        v: 1,
        command_id: partial.command_id ?? `cmd-${process.pid}-${++counter}-${uuidv7()}`,
        app: 'main',
        entity: 'inspection',
        user: testUser,
        ...partial,
      } as AppendCommand;
      return committer.submit({ command, fingerprint: commandFingerprint(command) });
    },
    eventCount: async () => Number((await db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).where('entity', '<>', '_meta').executeTakeFirstOrThrow()).n),
    close: async () => {
      await committer.close();
      await database.close();
      await testDb.drop();
    },
  };
}
