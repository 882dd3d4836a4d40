/**
 * Rule definitions in Rocket's shape (`/_admin/rules`, its `_rules` table):
 *
 *   { "id"?, "entity", "hook": "before_write" | "before_delete",
 *     "type": "field" | "expression" | "computed",
 *     "definition": { "field"?, "operator"?, "value"?, "conditions"?, "expression"?, "message"?,
 *                     "stop_on_fail"?, "related_load"?: [{ "relation", "filter"? }] },
 *     "priority"?: 0, "active"?: true }
 *
 * The definition's keys may also sit at the top level, as Rocket's design page writes
 * its examples. Expressions are compiled here, when a rule is saved, so a bad one is
 * refused with its line and column and never reaches a write.
 */
import { Checked, compileExpression, CompiledExpression, RuleDetail } from './compile-expression';
import { FIELD_OPERATORS, FieldOperator, checkFieldRuleValue } from './field-rules';

export const RULE_HOOKS = ['before_write', 'before_delete'] as const;
export type RuleHook = (typeof RULE_HOOKS)[number];
export const RULE_TYPES = ['field', 'expression', 'computed'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/** A relation to load before the rule runs; loading it is the store's job, in the append transaction. */
export interface RelatedLoad {
  relation: string;
  filter?: Record<string, unknown>;
}

interface RuleCommon {
  id: string;
  entity: string;
  hook: RuleHook;
  priority: number;
  active: boolean;
  message?: string;
  stopOnFail: boolean;
  relatedLoad: RelatedLoad[];
}

/** One field check: an operator on a field. */
export interface FieldCondition {
  field: string;
  operator: FieldOperator;
  value: unknown;
  /** The compiled `pattern`, for the pattern operator. */
  pattern?: RegExp;
}

/**
 * A field rule: its field, operator and value; or, in the shape of Rocket's design page,
 * `conditions` (several checks, one message), the first of which is also its field,
 * operator and value. Each failing condition is reported on its own field.
 */
export interface FieldRule extends RuleCommon, FieldCondition {
  type: 'field';
  conditions: FieldCondition[];
}

export interface ExpressionRule extends RuleCommon {
  type: 'expression';
  /** Optional: the field a failure is reported on. */
  field?: string;
  expression: CompiledExpression;
}

export interface ComputedRule extends RuleCommon {
  type: 'computed';
  field: string;
  expression: CompiledExpression;
}

export type Rule = FieldRule | ExpressionRule | ComputedRule;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class DetailList {
  readonly details: RuleDetail[] = [];
  add(field: string, message: string, rule = 'invalid'): void {
    this.details.push({ field, rule, message });
  }
}

function stringField(source: Json, key: string, path: string, errors: DetailList, required: boolean): string | undefined {
  const value = source[key];
  if (value === undefined || value === null || value === '') {
    if (required) errors.add(path, `${path} is required`, 'required');
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.add(path, `${path} must be a string`, 'type');
    return undefined;
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string, errors: DetailList, fallback?: T): T | undefined {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  errors.add(path, `${path} must be one of ${allowed.join(', ')}`, value === undefined ? 'required' : 'enum');
  return undefined;
}

function relatedLoads(value: unknown, errors: DetailList): RelatedLoad[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.add('related_load', 'related_load must be a list of { relation, filter? }', 'type');
    return [];
  }
  return value.flatMap((item, i): RelatedLoad[] => {
    const path = `related_load[${i}]`;
    if (!isObject(item) || typeof item.relation !== 'string' || item.relation === '') {
      errors.add(path, `${path} needs a relation name`, 'required');
      return [];
    }
    if (item.filter !== undefined && !isObject(item.filter)) {
      errors.add(`${path}.filter`, `${path}.filter must be an object`, 'type');
      return [];
    }
    return [item.filter === undefined ? { relation: item.relation } : { relation: item.relation, filter: item.filter }];
  });
}

function expressionOf(source: Json, errors: DetailList): CompiledExpression | undefined {
  const text = stringField(source, 'expression', 'expression', errors, true);
  if (text === undefined) return undefined;
  const compiled = compileExpression(text);
  if (!compiled.ok) {
    for (const detail of compiled.details) errors.details.push({ ...detail, field: 'expression' });
    return undefined;
  }
  return compiled.value;
}

/** One field check: `field`, `operator` and `value` of `source`, reported at `at` (empty: the rule's own). */
function fieldCondition(source: Json, at: string, errors: DetailList): FieldCondition | undefined {
  const path = (key: string) => (at === '' ? key : `${at}.${key}`);
  const field = stringField(source, 'field', path('field'), errors, true);
  const operator = oneOf(source.operator, FIELD_OPERATORS, path('operator'), errors);
  const checked = operator === undefined ? undefined : checkFieldRuleValue(operator, source.value);
  if (checked && !checked.ok) errors.add(path('value'), checked.message, 'invalid');
  if (field === undefined || operator === undefined || !checked?.ok) return undefined;
  return { field, operator, value: source.value, ...(checked.pattern ? { pattern: checked.pattern } : {}) };
}

/** Rocket's design-page shape: `conditions: [{field, operator, value?}, ...]`, at least one. */
function fieldConditions(value: unknown, errors: DetailList): (FieldCondition | undefined)[] {
  if (!Array.isArray(value) || value.length === 0) {
    errors.add('conditions', 'conditions must be a non-empty list of { field, operator, value? }', 'type');
    return [];
  }
  return value.map((item, i) => {
    if (isObject(item)) return fieldCondition(item, `conditions[${i}]`, errors);
    errors.add(`conditions[${i}]`, `conditions[${i}] must be an object`, 'type');
    return undefined;
  });
}

/** Parses and checks one rule as sent to `/_admin/rules`; a refusal lists every problem found (a 422's details). */
export function parseRuleDefinition(json: unknown): Checked<Rule> {
  const errors = new DetailList();
  if (!isObject(json)) return { ok: false, details: [{ field: '', rule: 'type', message: 'a rule must be a JSON object' }] };
  if (json.definition !== undefined && !isObject(json.definition)) errors.add('definition', 'definition must be an object', 'type');
  const definition: Json = { ...json, ...(isObject(json.definition) ? json.definition : {}) };
  const entity = stringField(json, 'entity', 'entity', errors, true);
  const hook = oneOf(json.hook, RULE_HOOKS, 'hook', errors, 'before_write');
  const type = oneOf(json.type, RULE_TYPES, 'type', errors, 'field');
  const priority = json.priority ?? 0;
  if (typeof priority !== 'number' || !Number.isInteger(priority)) errors.add('priority', 'priority must be an integer', 'type');
  const active = json.active ?? true;
  if (typeof active !== 'boolean') errors.add('active', 'active must be true or false', 'type');
  const stopOnFail = definition.stop_on_fail ?? false;
  if (typeof stopOnFail !== 'boolean') errors.add('stop_on_fail', 'stop_on_fail must be true or false', 'type');
  const message = stringField(definition, 'message', 'message', errors, false);
  const relatedLoad = relatedLoads(definition.related_load, errors);
  const id = typeof json.id === 'string' ? json.id : '';

  let rule: Rule | undefined;
  if (type === 'field') {
    const conditions = definition.conditions === undefined ? [fieldCondition(definition, '', errors)] : fieldConditions(definition.conditions, errors);
    if (conditions.length > 0 && conditions.every((c) => c !== undefined)) {
      rule = { type, ...conditions[0], conditions } as FieldRule;
    }
  } else if (type === 'expression') {
    const field = stringField(definition, 'field', 'field', errors, false);
    const expression = expressionOf(definition, errors);
    if (expression) rule = { type, expression, ...(field === undefined ? {} : { field }) } as ExpressionRule;
  } else if (type === 'computed') {
    const field = stringField(definition, 'field', 'field', errors, true);
    const expression = expressionOf(definition, errors);
    if (field !== undefined && expression) rule = { type, field, expression } as ComputedRule;
  }
  if (errors.details.length > 0 || !rule || entity === undefined || hook === undefined) {
    return { ok: false, details: errors.details };
  }
  const common: RuleCommon = {
    id,
    entity,
    hook,
    priority: priority as number,
    active: active as boolean,
    stopOnFail: stopOnFail as boolean,
    relatedLoad,
    ...(message === undefined ? {} : { message }),
  };
  return { ok: true, value: { ...rule, ...common } as Rule };
}
