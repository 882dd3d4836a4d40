import type { ErrorDetail } from '@takes/contracts';
import { RELATED_FILTER_OPS, filterKey, parseRuleDefinition, type Rule } from '@takes/rules';
import type { AppMetadata } from './app-metadata';
import { fieldOf } from './entity-definition';
import { isJsonObject, type Parsed } from './parsed';

/**
 * A rule as its `_meta` record `rule:<id>` stores it: Rocket's `/_admin/rules` shape,
 * normalized (the definition's keys under `definition`, defaults filled), plus `name`
 * (= id) for the registry. Plain JSON: the compiled rule is made from it when it is put
 * in force (expressions are compiled once per text and cached).
 */
export interface StoredRule {
  readonly name: string;
  readonly id: string;
  readonly entity: string;
  readonly hook: string;
  readonly type: string;
  readonly definition: Record<string, unknown>;
  readonly priority: number;
  readonly active: boolean;
}

const DEFINITION_KEYS = ['field', 'operator', 'value', 'conditions', 'expression', 'message', 'stop_on_fail', 'related_load'] as const;

/** The id of a rule or state machine: the server makes a UUID; any short name-like id is read. */
export const META_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function metaIdProblem(input: Record<string, unknown>): ErrorDetail[] {
  const id = input.id ?? input.name;
  return typeof id === 'string' && META_ID.test(id) ? [] : [{ field: 'id', rule: 'pattern', message: 'id must be 1 to 100 letters, digits, _ . or -' }];
}

/** Reads a rule as sent (its expression compiled, so a bad one is refused with where it is wrong). */
export function parseStoredRule(input: unknown): Parsed<StoredRule> {
  if (!isJsonObject(input)) return { ok: false, details: [{ field: '', rule: 'type', message: 'a rule must be a JSON object' }] };
  const id = (input.id ?? input.name) as string;
  const withId = { ...input, id };
  const parsed = parseRuleDefinition(withId);
  const idProblems = metaIdProblem(input);
  if (!parsed.ok || idProblems.length > 0) return { ok: false, details: [...idProblems, ...(parsed.ok ? [] : parsed.details.map((detail) => ({ ...detail })))] };
  const merged: Record<string, unknown> = { ...input, ...(isJsonObject(input.definition) ? input.definition : {}) };
  const definition = Object.fromEntries(DEFINITION_KEYS.filter((key) => merged[key] !== undefined).map((key) => [key, merged[key]]));
  const rule = parsed.value;
  return {
    ok: true,
    value: { name: id, id, entity: rule.entity, hook: rule.hook, type: rule.type, definition, priority: rule.priority, active: rule.active },
  };
}

/** The compiled rule of a stored one (null if it no longer parses, which parseStoredRule rules out). */
export function compiledRule(stored: StoredRule): Rule | null {
  const parsed = parseRuleDefinition(stored);
  return parsed.ok ? { ...parsed.value, id: stored.id } : null;
}

/** Why a rule cannot be stored in this app: its entity and the field it names must exist. */
export function ruleProblems(rule: StoredRule, metadata: AppMetadata): ErrorDetail[] {
  const entity = metadata.entities.get(rule.entity);
  if (!entity) return [{ field: 'entity', rule: 'exists', message: `unknown entity ${rule.entity}` }];
  const problems: ErrorDetail[] = [];
  const field = rule.definition.field;
  if (typeof field === 'string' && !fieldOf(entity, field)) problems.push({ field: 'definition.field', rule: 'exists', message: `entity ${rule.entity} has no field ${field}` });
  const conditions = Array.isArray(rule.definition.conditions) ? (rule.definition.conditions as { field?: unknown }[]) : [];
  conditions.forEach((condition, i) => {
    if (typeof condition?.field === 'string' && !fieldOf(entity, condition.field)) {
      problems.push({ field: `definition.conditions[${i}].field`, rule: 'exists', message: `entity ${rule.entity} has no field ${condition.field}` });
    }
  });
  // related_load: a relation that starts or ends at the rule's entity (not many_to_many),
  // filtered on fields the related entity has.
  const loads = Array.isArray(rule.definition.related_load) ? (rule.definition.related_load as { relation?: unknown; filter?: unknown }[]) : [];
  loads.forEach((load, i) => {
    const at = `definition.related_load[${i}]`;
    const relation = typeof load.relation === 'string' ? metadata.relations.get(load.relation) : undefined;
    if (!relation || (relation.source !== rule.entity && relation.target !== rule.entity)) {
      problems.push({ field: `${at}.relation`, rule: 'exists', message: `no relation ${String(load.relation)} starts or ends at ${rule.entity}` });
      return;
    }
    if (relation.type === 'many_to_many') {
      problems.push({ field: `${at}.relation`, rule: 'unsupported', message: 'related_load of a many_to_many relation is not supported' });
      return;
    }
    const related = metadata.entities.get(relation.source === rule.entity ? relation.target : relation.source);
    for (const [name, wanted] of Object.entries((load.filter ?? {}) as object)) {
      const key = filterKey(name);
      if (!key) problems.push({ field: `${at}.filter.${name}`, rule: 'operator', message: `unknown filter operator in ${name} (one of ${RELATED_FILTER_OPS.join(', ')})` });
      else if (related && !fieldOf(related, key.field)) problems.push({ field: `${at}.filter.${name}`, rule: 'exists', message: `entity ${related.name} has no field ${key.field}` });
      else if ((key.op === 'in' || key.op === 'not_in') && !Array.isArray(wanted)) problems.push({ field: `${at}.filter.${name}`, rule: 'type', message: `${name} takes a list of values` });
    }
  });
  return problems;
}

/** The entity's rules in force, in the order they were defined. */
export function rulesOf(metadata: AppMetadata, entity: string): Rule[] {
  return [...metadata.rules.values()].filter((rule) => rule.entity === entity);
}
