import type { ErrorDetail } from '@takes/contracts';
import type { EntityDefinition } from './entity-definition';
import { isMetaKind, metaKind, nameMismatch, splitMetaKey } from './meta-kinds';
import type { RelationDefinition } from './relation-definition';
import type { Rule } from '@takes/rules';
import type { StateMachine } from '@takes/state-machines';
import type { Permission } from '@takes/permissions';
import type { WebhookDefinition } from '@takes/webhooks';

/**
 * One app's entities, relations, rules, state machines and permissions as its `_meta` stream leaves them. Immutable: every
 * change returns a new value, so a reader may hold one while the registry moves on.
 */
export interface AppMetadata {
  readonly entities: ReadonlyMap<string, EntityDefinition>;
  readonly relations: ReadonlyMap<string, RelationDefinition>;
  /** Rules in force by id, compiled (the store loads only those of the entities a batch writes). */
  readonly rules: ReadonlyMap<string, Rule>;
  /** State machines in force by id, their guards compiled. */
  readonly stateMachines: ReadonlyMap<string, StateMachine>;
  /** Rocket's permission rows by id (the store loads only those of the entities a batch writes). */
  readonly permissions: ReadonlyMap<string, Permission>;
  /** Webhooks in force by id (absent until the first is defined). */
  readonly webhooks?: ReadonlyMap<string, WebhookDefinition>;
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
  return { entities: new Map(), relations: new Map(), rules: new Map(), stateMachines: new Map(), permissions: new Map(), position: 0, rejected: new Map() };
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
  const key = splitMetaKey(change.key);
  if (!key || !isMetaKind(key.kind)) return moved;
  const kind = metaKind(key.kind);
  const rejected = new Map(meta.rejected);
  rejected.delete(change.key);
  if (change.definition === null) return { ...kind.drop(moved, key.name), rejected };
  const parsed = kind.parse(change.definition, meta);
  const problem = !parsed.ok ? parsed.details : parsed.value.name !== key.name ? nameMismatch(change.key) : null;
  if (problem || !parsed.ok) return { ...moved, rejected: new Map(meta.rejected).set(change.key, problem ?? []) };
  return { ...kind.put(moved, parsed.value as never), rejected };
}

/** The relations that start at an entity (its `include` and nested-write keys), by name. */
export function relationsFrom(meta: AppMetadata, entity: string): RelationDefinition[] {
  return [...meta.relations.values()].filter((r) => r.source === entity).sort((a, b) => a.name.localeCompare(b.name));
}
