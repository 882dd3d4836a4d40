import type { ErrorDetail } from '@takes/contracts';
import { fieldOf, type EntityDefinition } from './entity-definition';
import { identifierProblem } from './identifiers';
import { isJsonObject, type Parsed } from './parsed';

/** Rocket's relation vocabulary (docs/metadata-schemas.md, "Relation Properties"). */
export const RELATION_TYPES = ['one_to_one', 'one_to_many', 'many_to_many'] as const;
export type RelationType = (typeof RELATION_TYPES)[number];
export const OWNERSHIPS = ['source', 'target', 'none'] as const;
export type Ownership = (typeof OWNERSHIPS)[number];
export const ON_DELETE_ACTIONS = ['cascade', 'set_null', 'restrict', 'detach'] as const;
export type OnDelete = (typeof ON_DELETE_ACTIONS)[number];
export const FETCH_STRATEGIES = ['lazy', 'eager'] as const;
export type FetchStrategy = (typeof FETCH_STRATEGIES)[number];
export const WRITE_MODES = ['diff', 'replace', 'append'] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

/**
 * A relation between two entities. one_to_one and one_to_many: the foreign key
 * `target_key` lives on the target and points at the source's `source_key`.
 * many_to_many: `join_table` holds (`source_join_key`, `target_join_key`) pairs pointing
 * at the source's `source_key` and the target's `target_key` (its primary key unless named).
 */
export interface RelationDefinition {
  readonly name: string;
  readonly type: RelationType;
  readonly source: string;
  readonly target: string;
  readonly source_key: string;
  readonly target_key: string;
  readonly join_table?: string;
  readonly source_join_key?: string;
  readonly target_join_key?: string;
  readonly ownership: Ownership;
  readonly on_delete: OnDelete;
  readonly fetch: FetchStrategy;
  readonly write_mode: WriteMode;
}

function unset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function choice<T extends string>(
  input: Record<string, unknown>,
  key: string,
  values: readonly T[],
  fallback: T,
  details: ErrorDetail[],
): T {
  const value = input[key];
  if (unset(value)) return fallback;
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  details.push({ field: key, rule: 'enum', message: `${key} must be one of: ${values.join(', ')}` });
  return fallback;
}

/**
 * Reads a relation as Rocket's admin API takes it and checks it against the app's
 * entities: source and target exist, each key is a field of the right entity, a
 * many_to_many names its join table and both join keys. Defaults: source_key = the
 * source's primary key; for many_to_many target_key = the target's primary key;
 * ownership 'source' (many_to_many 'none'); on_delete 'restrict' (many_to_many
 * 'detach'); fetch 'lazy'; write_mode 'diff'. Join properties on a relation that is not
 * many_to_many are dropped (Rocket's admin UI may leave them after a type change).
 */
export function parseRelationDefinition(
  input: unknown,
  entities: ReadonlyMap<string, EntityDefinition>,
): Parsed<RelationDefinition> {
  if (!isJsonObject(input)) {
    return { ok: false, details: [{ rule: 'type', message: 'a relation definition must be a JSON object' }] };
  }
  const details: ErrorDetail[] = [];
  const name = (key: string, what: string, kind: 'field' | 'name' = 'field'): string | null => {
    const problem = identifierProblem(input[key], what, kind);
    if (problem) {
      details.push({ field: key, ...problem });
      return null;
    }
    return input[key] as string;
  };

  const relationName = name('name', 'relation name', 'name');
  let type: RelationType | null = null;
  if (unset(input.type)) details.push({ field: 'type', rule: 'required', message: 'type is required' });
  else if (!(RELATION_TYPES as readonly unknown[]).includes(input.type)) {
    details.push({ field: 'type', rule: 'enum', message: `type must be one of: ${RELATION_TYPES.join(', ')}` });
  } else type = input.type as RelationType;
  const manyToMany = type === 'many_to_many';

  const entity = (key: 'source' | 'target'): EntityDefinition | null => {
    const value = input[key];
    if (unset(value)) {
      details.push({ field: key, rule: 'required', message: `${key} is required` });
      return null;
    }
    const found = typeof value === 'string' ? entities.get(value) : undefined;
    if (!found) details.push({ field: key, rule: 'unknown', message: `${key} entity not found: ${String(value)}` });
    return found ?? null;
  };
  const source = entity('source');
  const target = entity('target');

  const key = (prop: 'source_key' | 'target_key', on: EntityDefinition | null, fallback: string | null): string | null => {
    const value = unset(input[prop]) ? fallback : input[prop];
    if (value === null) {
      // a key that defaults to a primary key is only missing when its entity is known
      const derivable = prop === 'source_key' || manyToMany;
      if (!derivable || on) details.push({ field: prop, rule: 'required', message: `${prop} is required` });
      return null;
    }
    if (on && (typeof value !== 'string' || !fieldOf(on, value))) {
      details.push({ field: prop, rule: 'unknown', message: `${prop} "${String(value)}" is not a field of ${on.name}` });
      return null;
    }
    return value as string;
  };
  const sourceKey = key('source_key', source, source ? source.primary_key.field : null);
  const targetKey = key('target_key', target, manyToMany && target ? target.primary_key.field : null);

  let join: { join_table: string; source_join_key: string; target_join_key: string } | null = null;
  if (manyToMany) {
    const joinTable = name('join_table', 'join_table (required for many_to_many)', 'name');
    const sourceJoinKey = name('source_join_key', 'source_join_key (required for many_to_many)');
    const targetJoinKey = name('target_join_key', 'target_join_key (required for many_to_many)');
    if (sourceJoinKey && sourceJoinKey === targetJoinKey) {
      details.push({ field: 'target_join_key', rule: 'duplicate', message: 'source_join_key and target_join_key must differ' });
    }
    const taken = joinTable ? [...entities.values()].find((e) => e.table === joinTable) : undefined;
    if (taken) {
      details.push({ field: 'join_table', rule: 'conflict', message: `join_table "${joinTable}" is the table of entity ${taken.name}` });
    }
    if (joinTable && sourceJoinKey && targetJoinKey) {
      join = { join_table: joinTable, source_join_key: sourceJoinKey, target_join_key: targetJoinKey };
    }
  }

  if (relationName && source && fieldOf(source, relationName)) {
    details.push({
      field: 'name',
      rule: 'conflict',
      message: `relation name "${relationName}" is a field of ${source.name}; nested writes could not tell them apart`,
    });
  }

  const ownership = choice(input, 'ownership', OWNERSHIPS, manyToMany ? 'none' : 'source', details);
  const onDelete = choice(input, 'on_delete', ON_DELETE_ACTIONS, manyToMany ? 'detach' : 'restrict', details);
  if (type && onDelete === 'detach' && !manyToMany) {
    details.push({ field: 'on_delete', rule: 'enum', message: 'on_delete detach is only for many_to_many' });
  }
  if (onDelete === 'set_null' && manyToMany) {
    details.push({ field: 'on_delete', rule: 'enum', message: 'on_delete set_null is not for many_to_many' });
  }
  if (onDelete === 'set_null' && !manyToMany && target && targetKey) {
    const fk = fieldOf(target, targetKey);
    if (fk && fk.required && !fk.nullable) {
      details.push({
        field: 'on_delete',
        rule: 'set_null',
        message: `on_delete set_null needs ${target.name}.${targetKey} to accept null (it is required)`,
      });
    }
  }
  const fetch = choice(input, 'fetch', FETCH_STRATEGIES, 'lazy', details);
  const writeMode = choice(input, 'write_mode', WRITE_MODES, 'diff', details);

  if (details.length > 0 || !relationName || !type || !source || !target || !sourceKey || !targetKey) {
    return { ok: false, details };
  }
  return {
    ok: true,
    value: {
      name: relationName,
      type,
      source: source.name,
      target: target.name,
      source_key: sourceKey,
      target_key: targetKey,
      ...(join ?? {}),
      ownership,
      on_delete: onDelete,
      fetch,
      write_mode: writeMode,
    },
  };
}
