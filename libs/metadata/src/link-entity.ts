import { fieldOf, type EntityDefinition } from './entity-definition';
import type { RelationDefinition } from './relation-definition';

/**
 * The links of a many_to_many relation are records of their own: one stream per linked
 * pair, of the entity `_link_<relation>`, whose state is the join table's row. Linking
 * creates (or restores) it, unlinking deletes it, and the projector keeps the relation's
 * join table from these events like any read table.
 */
export const LINK_ENTITY_PREFIX = '_link_';

/** The column (and state field) that holds a link's own id in its join table. */
export const LINK_ID_FIELD = '_link';

export function linkEntityName(relation: string): string {
  return `${LINK_ENTITY_PREFIX}${relation}`;
}

export function isLinkEntity(entity: string): boolean {
  return entity.startsWith(LINK_ENTITY_PREFIX);
}

/** A link's record id: the pair of keys, unambiguous whatever characters the keys hold. */
export function linkId(sourceKey: unknown, targetKey: unknown): string {
  return JSON.stringify([String(sourceKey), String(targetKey)]);
}

/** A link record's state: its join-table row. */
export function linkState(relation: RelationDefinition, sourceKey: unknown, targetKey: unknown): Record<string, unknown> {
  return {
    [LINK_ID_FIELD]: linkId(sourceKey, targetKey),
    [relation.source_join_key!]: sourceKey,
    [relation.target_join_key!]: targetKey,
  };
}

/**
 * The entity a many_to_many relation's links are records of: its table is the join
 * table, its fields the link id and the two join keys, typed like the keys they point at.
 * Null for other relation types, or when an end's entity is unknown.
 */
export function linkEntityDefinition(
  relation: RelationDefinition,
  source: EntityDefinition | undefined,
  target: EntityDefinition | undefined,
): EntityDefinition | null {
  if (relation.type !== 'many_to_many' || !relation.join_table || !relation.source_join_key || !relation.target_join_key) return null;
  const sourceKey = source && fieldOf(source, relation.source_key);
  const targetKey = target && fieldOf(target, relation.target_key);
  if (!sourceKey || !targetKey) return null;
  return {
    name: linkEntityName(relation.name),
    table: relation.join_table,
    primary_key: { field: LINK_ID_FIELD, type: 'string', generated: false },
    soft_delete: false,
    fields: [
      { name: LINK_ID_FIELD, type: 'string', required: true },
      { name: relation.source_join_key, type: sourceKey.type, required: true },
      { name: relation.target_join_key, type: targetKey.type, required: true },
    ],
    history: true,
    merge_policy: 'field',
    stale_write: 'reject',
  };
}
