import { rulesOf, type AppMetadata, type EntityDefinition } from '@takes/metadata';
import { meetsFilter } from '@takes/rules';
import { numericView } from './rule-checks';

/** Most related records one lookup may load for a rule; more refuse the write rather than show a rule part of them. */
export const MAX_RELATED_ROWS = 1000;

/**
 * One relation a rule's `related_load` asks for, for one record: the related entity's
 * records whose `field` holds `value` (null: the record has no key to look by, so there
 * is nothing to load). `many`: a list (the children of a one_to_many); otherwise one
 * record or null (the parent, or a one_to_one).
 */
export interface RelatedLookup {
  readonly name: string;
  readonly entity: string;
  readonly field: string;
  readonly value: string | null;
  readonly many: boolean;
  readonly filter: Readonly<Record<string, unknown>>;
}

function keyText(value: unknown): string | null {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value) : null;
}

/**
 * relatedLookups(metadata, entity, state): what the entity's active rules load, looked up
 * by the record's state as it will be written (its keys). Forward (the entity is the
 * relation's source): the target records whose target_key is the record's source_key;
 * reverse: the source record whose source_key is the record's target_key. One lookup per
 * relation name, whichever rules ask for it.
 */
export function relatedLookups(metadata: AppMetadata, entity: EntityDefinition, state: Readonly<Record<string, unknown>>): RelatedLookup[] {
  const lookups = new Map<string, RelatedLookup>();
  for (const rule of rulesOf(metadata, entity.name)) {
    if (!rule.active) continue;
    for (const load of rule.relatedLoad) {
      const relation = metadata.relations.get(load.relation);
      if (!relation || relation.type === 'many_to_many' || lookups.has(load.relation)) continue;
      const forward = relation.source === entity.name;
      if (!forward && relation.target !== entity.name) continue;
      lookups.set(load.relation, {
        name: load.relation,
        entity: forward ? relation.target : relation.source,
        field: forward ? relation.target_key : relation.source_key,
        value: keyText(state[forward ? relation.source_key : relation.target_key]),
        many: forward && relation.type === 'one_to_many',
        filter: load.filter ?? {},
      });
    }
  }
  return [...lookups.values()];
}

/** Whether a related record meets a related_load filter (Rocket's filter syntax: `status` or `status.in`, every key holding). */
export function meetsRelatedFilter(state: Readonly<Record<string, unknown>>, filter: Readonly<Record<string, unknown>>): boolean {
  return meetsFilter(state, filter);
}

/**
 * What rules see as `related`: each lookup's records (filtered, with decimals as exact
 * numbers as the record's own are), a list for `many`, else the one record or null.
 */
export function relatedView(metadata: AppMetadata, lookups: readonly RelatedLookup[], found: ReadonlyMap<string, readonly Record<string, unknown>[]>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const lookup of lookups) {
    const entity = metadata.entities.get(lookup.entity);
    const rows = (found.get(lookup.name) ?? []).filter((row) => meetsRelatedFilter(row, lookup.filter)).map((row) => (entity ? numericView(entity, row) : row));
    view[lookup.name] = lookup.many ? rows : (rows[0] ?? null);
  }
  return view;
}
