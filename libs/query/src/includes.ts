import type { EntityDefinition, RelationDefinition } from '@takes/metadata';
import type { Include } from './list-query';

/** The column each row of an include query carries: the listed row's key it belongs to. */
export const INCLUDE_KEY = '_include_key';

function byName(a: RelationDefinition, b: RelationDefinition): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Finds what `include=<name>` means for an entity, as Rocket's registry does
 * (FindRelationForEntity, Go and Express):
 * 1. the relation of that name, if the entity is its source (forward) or its target
 *    (reverse; source first when it is both);
 * 2. else a relation whose other end is the entity named so: source = entity and
 *    target = name (forward), or target = entity and source = name (reverse);
 * 3. else (Rocket's Go server) the relation named `<entity>_<name>`, e.g. `post_tags` for
 *    `include=tags` on post.
 * Ties in step 2 go to the relation whose name sorts first, so the answer never depends
 * on the order of `relations`. Null when nothing matches.
 */
export function resolveInclude(
  entity: EntityDefinition,
  relations: readonly RelationDefinition[],
  name: string,
): Include | null {
  const touching = relations.filter((r) => r.source === entity.name || r.target === entity.name).sort(byName);
  const direction = (r: RelationDefinition): Include['direction'] => (r.source === entity.name ? 'forward' : 'reverse');

  const named = touching.find((r) => r.name === name);
  if (named) return { name, relation: named, direction: direction(named) };
  for (const r of touching) {
    if (r.source === entity.name && r.target === name) return { name, relation: r, direction: 'forward' };
    if (r.target === entity.name && r.source === name) return { name, relation: r, direction: 'reverse' };
  }
  const prefixed = touching.find((r) => r.name === `${entity.name}_${name}`);
  return prefixed ? { name, relation: prefixed, direction: direction(prefixed) } : null;
}

/** The entity whose rows an include loads: the relation's target (forward) or source (reverse). */
export function includedEntityName(include: Include): string {
  return include.direction === 'forward' ? include.relation.target : include.relation.source;
}

/**
 * The column of the listed rows that an include is keyed by: forward, the source's
 * `source_key`; reverse one_to_one/one_to_many, the foreign key `target_key` on the
 * listed rows; reverse many_to_many, the target's `target_key` (what the join table's
 * target_join_key points at).
 */
export function includeKeyColumn(include: Include): string {
  return include.direction === 'forward' ? include.relation.source_key : include.relation.target_key;
}

/** The distinct non-null key values of a page's rows, for buildIncludeQuery (first seen first). */
export function includeKeys(include: Include, rows: readonly Readonly<Record<string, unknown>>[]): unknown[] {
  const column = includeKeyColumn(include);
  const seen = new Set<string>();
  const keys: unknown[] = [];
  for (const row of rows) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    const text = String(value);
    if (seen.has(text)) continue;
    seen.add(text);
    keys.push(value);
  }
  return keys;
}

/** True when an include gives each row one record (or null) rather than a list. */
export function includesOne(include: Include): boolean {
  if (include.relation.type === 'many_to_many') return false;
  return include.direction === 'reverse' || include.relation.type === 'one_to_one';
}

/**
 * Puts the rows an include query returned under `include.name` of each listed row, and
 * returns new rows (the arguments are not changed). Keys compare as text, so a bigint
 * read as a string still meets its number. One record or null for one_to_one and for
 * reverse includes (the first match, as Rocket); a list, maybe empty, otherwise. The
 * INCLUDE_KEY column is dropped from the attached records.
 */
export function attachIncluded(
  include: Include,
  rows: readonly Readonly<Record<string, unknown>>[],
  included: readonly Readonly<Record<string, unknown>>[],
): Record<string, unknown>[] {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const row of included) {
    const { [INCLUDE_KEY]: key, ...record } = row;
    if (key === null || key === undefined) continue;
    const text = String(key);
    const group = groups.get(text);
    if (group) group.push(record);
    else groups.set(text, [record]);
  }
  const column = includeKeyColumn(include);
  const one = includesOne(include);
  return rows.map((row) => {
    const key = row[column];
    const group = key === null || key === undefined ? undefined : groups.get(String(key));
    return { ...row, [include.name]: one ? (group?.[0] ?? null) : (group ?? []) };
  });
}
