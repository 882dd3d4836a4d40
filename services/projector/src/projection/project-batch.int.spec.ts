import { compare } from 'fast-json-patch';
import type { PatchOperation, TakesEvent } from '@takes/contracts';
import { createDatabase, inDeferredTransaction, migrateSchema, type Database } from '@takes/db';
import { createTestDatabase, type TestDatabase } from '@takes/testing';
import { linkId, linkState, type EntityDefinition, type RelationDefinition } from '@takes/metadata';
import { PROJECTOR_SCHEMA, projectorMigrations } from '../migrations';
import { EntityRegistry } from './entity-registry';
import { projectBatch } from './project-batch';
import { ensureReadTable } from './read-tables';

const note: EntityDefinition = {
  name: 'note',
  table: 'notes',
  primary_key: { field: 'id', type: 'string', generated: false },
  soft_delete: false,
  fields: [{ name: 'id', type: 'string' }, { name: 'text', type: 'string' }],
  history: true,
  merge_policy: 'field',
  stale_write: 'reject',
};

let position = 0;
function event(id: string, version: number, before: object, after: object): TakesEvent {
  position += 1;
  return {
    v: 1, id: `e-${id}-${version}`, position, command_id: `c-${id}-${version}`, parent: null, app: 'main', entity: 'note', entity_id: id,
    type: version === 1 ? 'created' : 'updated', version, prior_version: version - 1, base_version: version - 1,
    patch: compare(before, after) as PatchOperation[], submitted: after as Record<string, unknown>, contested: [],
    branch_ts: '2026-11-23T10:00:00.000Z', submit_ts: '2026-11-23T10:00:00.000Z', commit_ts: `2026-11-23T10:00:0${version}.000Z`,
    user: { id: 'u', roles: [] }, device: null,
  };
}

/** Batches applied straight to a read table (real PostgreSQL): what a redelivery does to rows. */
describe('projectBatch (real PostgreSQL)', () => {
  let testDb: TestDatabase;
  let database: Database<any>;
  const registry = new EntityRegistry();
  const noGaps = async (): Promise<TakesEvent[]> => {
    throw new Error('no gap expected');
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('project_batch');
    database = createDatabase({ url: testDb.url });
    await migrateSchema(database.db, { url: testDb.url, schema: PROJECTOR_SCHEMA, migrations: projectorMigrations });
    const client = await database.pool.connect();
    try {
      await ensureReadTable(client, 'main', note);
      await registry.stage(client, 'main', 'note', note, false, 1);
      registry.commit();
    } finally {
      client.release();
    }
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  const apply = (events: TakesEvent[]) => inDeferredTransaction(database.pool, (statements) => projectBatch(statements, events, registry, noGaps));
  const row = async (id: string) =>
    (await database.pool.query('SELECT text, _version, _applied, _state FROM app_main.notes WHERE id = $1', [id])).rows[0];

  it('a new record is built from its events without reading its row; a redelivery from version 1 never takes a newer row back', async () => {
    const v1 = event('n1', 1, {}, { id: 'n1', text: 'a' });
    const v2 = event('n1', 2, { id: 'n1', text: 'a' }, { id: 'n1', text: 'b' });
    const v3 = event('n1', 3, { id: 'n1', text: 'b' }, { id: 'n1', text: 'c' });
    await apply([v1, v2, v3]);
    expect(await row('n1')).toEqual({ text: 'c', _version: 3, _applied: 3, _state: { id: 'n1', text: 'c' } });

    // The first two again (a redelivered batch): built from scratch to version 2, not written over version 3.
    await apply([v1, v2]);
    expect(await row('n1')).toEqual({ text: 'c', _version: 3, _applied: 3, _state: { id: 'n1', text: 'c' } });

    // The same three again, and then the next version: the row moves on once.
    const v4 = event('n1', 4, { id: 'n1', text: 'c' }, { id: 'n1', text: 'd' });
    await apply([v1, v2, v3, v4]);
    expect(await row('n1')).toEqual({ text: 'd', _version: 4, _applied: 4, _state: { id: 'n1', text: 'd' } });
  });

  it('a record whose batch starts past version 1 is read first and continued', async () => {
    const v1 = event('n2', 1, {}, { id: 'n2', text: 'x' });
    await apply([v1]);
    const v2 = event('n2', 2, { id: 'n2', text: 'x' }, { id: 'n2', text: 'y' });
    const result = await apply([v2, v2]);
    expect(result).toMatchObject({ applied: 1, skipped: 1 });
    expect(await row('n2')).toEqual({ text: 'y', _version: 2, _applied: 2, _state: { id: 'n2', text: 'y' } });
  });

  it('a link of a many_to_many relation defined before join tables were projected gets its join table from the store', async () => {
    const labels: RelationDefinition = {
      name: 'labels', type: 'many_to_many', source: 'note', target: 'note', source_key: 'id', target_key: 'id',
      join_table: 'note_labels', source_join_key: 'note_id', target_join_key: 'label_id',
      ownership: 'none', on_delete: 'detach', fetch: 'lazy', write_mode: 'diff',
    };
    position += 1;
    const state = linkState(labels, 'n1', 'n2');
    const link: TakesEvent = {
      ...event('x', 1, {}, {}), position, entity: '_link_labels', entity_id: linkId('n1', 'n2'),
      patch: compare({}, state) as PatchOperation[], submitted: state,
    };
    const asked: string[] = [];
    const result = await inDeferredTransaction(database.pool, async (statements) => {
      // Without the store to ask, the link has no table and is skipped.
      expect(await projectBatch(statements, [link], registry, noGaps)).toMatchObject({ applied: 0, skipped: 1 });
      return projectBatch(statements, [link], registry, noGaps, async (app, name) => {
        asked.push(`${app}/${name}`);
        return labels;
      });
    });
    registry.commit();
    expect(result).toMatchObject({ applied: 1 });
    expect(asked).toEqual(['main/labels']);
    const rows = (await database.pool.query('SELECT note_id, label_id, _deleted FROM app_main.note_labels')).rows;
    expect(rows).toEqual([{ note_id: 'n1', label_id: 'n2', _deleted: false }]);
  });
});
