// Test fixture (not exported by index.ts): a small app with every field type and every
// relation shape, read through the metadata lib as the gateway would read it.
import { applyMetaChange, emptyMetadata, type AppMetadata, type EntityDefinition, type RelationDefinition } from '@takes/metadata';
import { Kysely, DummyDriver, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';

const definitions = {
  entities: [
    {
      name: 'inspection',
      table: 'inspections',
      soft_delete: true,
      fields: [
        { name: 'id', type: 'uuid' },
        { name: 'site', type: 'string' },
        { name: 'notes', type: 'text' },
        { name: 'score', type: 'int' },
        { name: 'visits', type: 'bigint' },
        { name: 'cost', type: 'decimal', precision: 2 },
        { name: 'passed', type: 'boolean' },
        { name: 'inspector', type: 'uuid' },
        { name: 'inspected_at', type: 'timestamp' },
        { name: 'due', type: 'date' },
        { name: 'extra', type: 'json' },
        { name: 'photo', type: 'file' },
        { name: 'site_id', type: 'uuid' },
      ],
    },
    { name: 'site', table: 'sites', fields: [{ name: 'id', type: 'uuid' }, { name: 'name', type: 'string' }] },
    {
      name: 'finding',
      table: 'findings',
      soft_delete: true,
      fields: [{ name: 'id', type: 'uuid' }, { name: 'inspection_id', type: 'uuid' }, { name: 'text', type: 'text' }],
    },
    { name: 'report', table: 'reports', fields: [{ name: 'id', type: 'uuid' }, { name: 'inspection_id', type: 'uuid' }] },
    { name: 'tag', table: 'tags', soft_delete: true, fields: [{ name: 'id', type: 'uuid' }, { name: 'label', type: 'string' }] },
    {
      name: 'counter',
      table: 'counters',
      primary_key: { field: 'n', type: 'int', generated: false },
      fields: [{ name: 'n', type: 'int' }, { name: 'label', type: 'string' }],
    },
  ],
  relations: [
    { name: 'findings', type: 'one_to_many', source: 'inspection', target: 'finding', target_key: 'inspection_id' },
    { name: 'report', type: 'one_to_one', source: 'inspection', target: 'report', target_key: 'inspection_id' },
    {
      name: 'tags',
      type: 'many_to_many',
      source: 'inspection',
      target: 'tag',
      join_table: 'inspection_tags',
      source_join_key: 'inspection_id',
      target_join_key: 'tag_id',
    },
    { name: 'inspections', type: 'one_to_many', source: 'site', target: 'inspection', target_key: 'site_id' },
  ],
};

export const app: AppMetadata = [
  ...definitions.entities.map((d) => ({ key: `entity:${d.name}`, definition: d })),
  ...definitions.relations.map((d) => ({ key: `relation:${d.name}`, definition: d })),
].reduce((meta, change, i) => applyMetaChange(meta, { ...change, position: i + 1 }), emptyMetadata());

if (app.rejected.size > 0) throw new Error(`fixture refused: ${JSON.stringify([...app.rejected])}`);

export function entity(name: string): EntityDefinition {
  const found = app.entities.get(name);
  if (!found) throw new Error(`no entity ${name}`);
  return found;
}

export function relation(name: string): RelationDefinition {
  const found = app.relations.get(name);
  if (!found) throw new Error(`no relation ${name}`);
  return found;
}

export const allRelations: RelationDefinition[] = [...app.relations.values()];

/** A Kysely that compiles PostgreSQL and can run nothing. */
export const db = new Kysely<any>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (k) => new PostgresIntrospector(k),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});
