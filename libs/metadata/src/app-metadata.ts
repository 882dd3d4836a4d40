import type { ErrorDetail } from '@takes/contracts';
import { parseEntityDefinition, type EntityDefinition } from './entity-definition';
import { parseRelationDefinition, type RelationDefinition } from './relation-definition';

/** The kinds of `_meta` records this registry reads; other kinds (rule, webhook, ...) are skipped. */
export const META_KINDS = ['entity', 'relation'] as const;
export type MetaKind = (typeof META_KINDS)[number];

/**
 * One app's entities and relations as its `_meta` stream leaves them. Immutable: every
 * change returns a new value, so a reader may hold one while the registry moves on.
 */
export interface AppMetadata {
  readonly entities: ReadonlyMap<string, EntityDefinition>;
  readonly relations: ReadonlyMap<string, RelationDefinition>;
  /** The position of the last change applied (0: none). */
  readonly position: number;
  /**
   * `_meta` keys whose latest definition could not be read, with why (for the service's
   * log). The last good definition of that key, if any, stays in force.
   */
  readonly rejected: ReadonlyMap<string, readonly ErrorDetail[]>;
}

/**
 * One `_meta` record's new state: `key` is its entity_id (`entity:inspection`,
 * `relation:items`), `definition` the record state (null: the record was removed),
 * `position` the event's store position.
 */
export interface MetaChange {
  key: string;
  definition: object | null;
  position: number;
}

export function emptyMetadata(): AppMetadata {
  return { entities: new Map(), relations: new Map(), position: 0, rejected: new Map() };
}

/** The `_meta` entity_id of a definition: `entity:<name>`, `relation:<name>`. */
export function metaKey(kind: MetaKind, name: string): string {
  return `${kind}:${name}`;
}

function splitKey(key: string): { kind: string; name: string } | null {
  const colon = key.indexOf(':');
  if (colon <= 0 || colon === key.length - 1) return null;
  return { kind: key.slice(0, colon), name: key.slice(colon + 1) };
}

function without<V>(map: ReadonlyMap<string, V>, key: string): Map<string, V> {
  const copy = new Map(map);
  copy.delete(key);
  return copy;
}

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): Map<string, V> {
  return new Map(map).set(key, value);
}

/**
 * Folds one `_meta` change into an app's metadata (an immutable update). Changes older
 * than the metadata's position are skipped, so a redelivered change is harmless.
 * Removing an entity also removes the relations that start or end at it (Rocket deletes
 * them with the entity). A definition that does not parse, or whose name is not the
 * key's, is recorded in `rejected` and leaves the last good one in force. Unknown kinds
 * only move the position on (forward compatible).
 */
export function applyMetaChange(meta: AppMetadata, change: MetaChange): AppMetadata {
  if (change.position < meta.position) return meta;
  const moved: AppMetadata = { ...meta, position: change.position };
  const key = splitKey(change.key);
  if (!key || !(META_KINDS as readonly string[]).includes(key.kind)) return moved;
  const rejected = without(meta.rejected, change.key);

  if (key.kind === 'entity') {
    if (change.definition === null) {
      const relations = new Map(
        [...meta.relations].filter(([, r]) => r.source !== key.name && r.target !== key.name),
      );
      return { ...moved, entities: without(meta.entities, key.name), relations, rejected };
    }
    const parsed = parseEntityDefinition(change.definition);
    const problem = !parsed.ok ? parsed.details : parsed.value.name !== key.name ? nameMismatch(change.key) : null;
    if (problem || !parsed.ok) return { ...moved, rejected: withEntry(meta.rejected, change.key, problem ?? []) };
    return { ...moved, entities: withEntry(meta.entities, key.name, parsed.value), rejected };
  }

  if (change.definition === null) return { ...moved, relations: without(meta.relations, key.name), rejected };
  const parsed = parseRelationDefinition(change.definition, meta.entities);
  const problem = !parsed.ok ? parsed.details : parsed.value.name !== key.name ? nameMismatch(change.key) : null;
  if (problem || !parsed.ok) return { ...moved, rejected: withEntry(meta.rejected, change.key, problem ?? []) };
  return { ...moved, relations: withEntry(meta.relations, key.name, parsed.value), rejected };
}

function nameMismatch(key: string): ErrorDetail[] {
  return [{ field: 'name', rule: 'mismatch', message: `the definition's name is not the one of its key ${key}` }];
}

/** The relations that start at an entity (its `include` and nested-write keys), by name. */
export function relationsFrom(meta: AppMetadata, entity: string): RelationDefinition[] {
  return [...meta.relations.values()].filter((r) => r.source === entity).sort((a, b) => a.name.localeCompare(b.name));
}
