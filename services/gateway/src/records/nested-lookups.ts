import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { SYSTEM_COLUMNS, appSchema, readColumns } from '@takes/read-model';
import { fieldOf, normalizeFieldValue, type EntityDefinition, type NestedLookups, type RecordStanding, type RelationDefinition } from '@takes/metadata';
import { MetadataService } from '../metadata/metadata.service';
import type { GatewayDb } from '../tables/gateway.db';
import { emptyWithoutTable } from '../reads/missing-table';
import { GATEWAY_DB } from '../tokens';
import { KeyGenerator } from './key-generator';

function keyType(entity: EntityDefinition): string {
  return readColumns(entity).find((c) => c.primaryKey)?.type ?? 'text';
}

/**
 * Whether a value fits a field's column (type and range): one that does not has no row,
 * and must not reach a typed comparison (PostgreSQL would refuse the whole query).
 */
function fits(entity: EntityDefinition | undefined, field: string, value: unknown): boolean {
  const definition = entity && fieldOf(entity, field);
  if (!definition) return false;
  return value !== null && value !== undefined && normalizeFieldValue(definition, value).ok;
}

/**
 * What planning a nested write reads, from the projector's read tables (the caller waits
 * for them to reach the store's last position first): which records exist, a parent's
 * children and links, a record's values, and keys for new rows.
 */
@Injectable()
export class NestedLookupsFactory {
  constructor(
    @Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>,
    private readonly metadata: MetadataService,
    private readonly keys: KeyGenerator,
  ) {}

  forApp(app: string): NestedLookups {
    const schema = appSchema(app);
    const table = (name: string) => sql.table(`${schema}.${name}`);
    const col = (name: string) => sql.ref(name);
    return {
      records: async (entity, ids) => {
        const type = keyType(entity);
        const valid = ids.filter((value) => fits(entity, entity.primary_key.field, value));
        if (valid.length === 0) return new Map();
        const rows = await emptyWithoutTable(async () =>
          (await sql<{ id: string; deleted: boolean }>`
            SELECT ${col(entity.primary_key.field)}::text AS id, ${col(SYSTEM_COLUMNS.deleted)} AS deleted
            FROM ${table(entity.table)} WHERE ${col(entity.primary_key.field)} = ANY(${valid}::${sql.raw(type)}[])`.execute(this.db)).rows,
        );
        return new Map(rows.map((row): [string, RecordStanding] => [row.id, row.deleted ? 'deleted' : 'live']));
      },
      related: async (relation: RelationDefinition, parentKey: unknown) => {
        if (relation.type === 'many_to_many') {
          const join = relation.join_table;
          if (!join || !fits(this.metadata.metadata(app).entities.get(relation.source), relation.source_key, parentKey)) return [];
          const rows = await emptyWithoutTable(async () =>
            (await sql<{ key: string }>`
              SELECT ${col(relation.target_join_key!)}::text AS key FROM ${table(join)}
              WHERE ${col(relation.source_join_key!)} = ${parentKey} AND NOT ${col(SYSTEM_COLUMNS.deleted)}`.execute(this.db)).rows,
          );
          return rows.map((row) => row.key);
        }
        const target = this.metadata.entity(app, relation.target);
        if (!fits(target, relation.target_key, parentKey)) return [];
        const rows = await emptyWithoutTable(async () =>
          (await sql<{ key: string }>`
            SELECT ${col(target.primary_key.field)}::text AS key FROM ${table(target.table)}
            WHERE ${col(relation.target_key)} = ${parentKey} AND NOT ${col(SYSTEM_COLUMNS.deleted)}`.execute(this.db)).rows,
        );
        return rows.map((row) => row.key);
      },
      record: async (entity, id) => {
        const type = keyType(entity);
        if (!fits(entity, entity.primary_key.field, id)) return null;
        const rows = await emptyWithoutTable(async () =>
          (await sql<{ state: Record<string, unknown> }>`
            SELECT ${col(SYSTEM_COLUMNS.state)} AS state FROM ${table(entity.table)}
            WHERE ${col(entity.primary_key.field)} = ${id}::${sql.raw(type)} AND NOT ${col(SYSTEM_COLUMNS.deleted)}`.execute(this.db)).rows,
        );
        return rows[0]?.state ?? null;
      },
      newKey: (entity) => this.keys.next(app, entity),
    };
  }
}
