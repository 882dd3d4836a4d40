import type { ErrorDetail } from '@takes/contracts';
import type { MetaItem, MetaKind } from './meta-kinds';

/** The kinds of metadata that own a table of the read schema. */
type TableKind = Extract<MetaKind, 'entity' | 'relation'>;

/** A table of an app's read schema and what it belongs to. */
export interface TableOwner {
  kind: TableKind;
  name: string;
  table: string;
}

/**
 * The tables of an app's read schema: each entity's table and each many_to_many
 * relation's join table. Removed items count too: their tables and rows stay.
 */
export function tableOwners(items: readonly Pick<MetaItem, 'key' | 'definition'>[]): TableOwner[] {
  const owners: TableOwner[] = [];
  for (const item of items) {
    const [kind, name] = [item.key.slice(0, item.key.indexOf(':')), item.key.slice(item.key.indexOf(':') + 1)];
    const { table, join_table: joinTable, type } = item.definition as { table?: unknown; join_table?: unknown; type?: unknown };
    if (kind === 'entity' && typeof table === 'string') owners.push({ kind, name, table });
    if (kind === 'relation' && type === 'many_to_many' && typeof joinTable === 'string') owners.push({ kind, name, table: joinTable });
  }
  return owners;
}

/**
 * Why an entity's table or a relation's join table cannot be `table`: another entity or
 * relation of the app has it (the projector keeps one table per entity and per
 * many_to_many relation). Null when it is free, or already this item's own.
 */
export function tableConflict(owners: readonly TableOwner[], kind: TableKind, name: string, table: string): ErrorDetail | null {
  const other = owners.find((o) => o.table === table && !(o.kind === kind && o.name === name));
  if (!other) return null;
  return {
    field: kind === 'entity' ? 'table' : 'join_table',
    rule: 'conflict',
    message: `table "${table}" belongs to ${other.kind} ${other.name}${other.kind === 'relation' ? ' (its join table)' : ''}`,
  };
}

/** The properties of a many_to_many relation its link records and join table are made of. */
const LINK_SHAPE = ['type', 'source', 'target', 'source_key', 'target_key', 'join_table', 'source_join_key', 'target_join_key'] as const;

/**
 * A many_to_many relation keeps the shape its links were written in: its link records
 * hold the join keys by name and its join table is named, so these cannot change once
 * defined (removing the relation and defining it again included).
 */
export function linkShapeChanges(previous: Record<string, unknown> | undefined, next: Record<string, unknown>): ErrorDetail[] {
  if (!previous || (previous.type !== 'many_to_many' && next.type !== 'many_to_many')) return [];
  return LINK_SHAPE.filter((key) => previous[key] !== next[key]).map((key) => ({
    field: key,
    rule: 'immutable',
    message: `${key} of a many_to_many relation cannot change (it was ${JSON.stringify(previous[key] ?? null)})`,
  }));
}
