import type { ErrorDetail } from '@takes/contracts';

/** Rocket's four record actions a permission grants. */
export const PERMISSION_ACTIONS = ['read', 'create', 'update', 'delete'] as const;
export type PermissionAction = (typeof PERMISSION_ACTIONS)[number];

/** Rocket's condition operators (the same as its field rules'). */
export const CONDITION_OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];
export const LIST_OPERATORS: ReadonlySet<ConditionOperator> = new Set(['in', 'not_in']);

/**
 * One condition on a record's field. `value` is a literal, normalized by the field's
 * type when the permission is saved, or names the user: `"$user.id"`, `"$user.<attribute>"`
 * (an attribute set on the user through `/_admin/users`, carried in the access token).
 * For `in` and `not_in` it is a list, whose items may name the user too.
 */
export interface PermissionCondition {
  readonly field: string;
  readonly operator: ConditionOperator;
  readonly value: unknown;
}

/**
 * Rocket's permission row: who (`roles`) may do `action` on `entity`'s records, and on
 * which rows (`conditions`, all of them must hold; none: every row). `name` is the id,
 * for the metadata registry.
 */
export interface Permission {
  readonly name: string;
  readonly id: string;
  readonly entity: string;
  readonly action: PermissionAction;
  readonly roles: readonly string[];
  readonly conditions: readonly PermissionCondition[];
}

export type PermissionParse = { ok: true; value: Permission } | { ok: false; details: ErrorDetail[] };

const KEYS = new Set(['id', 'name', 'entity', 'action', 'roles', 'conditions', 'created_at', 'updated_at']);
const CONDITION_KEYS = new Set(['field', 'operator', 'value']);
const ROLE = /^[A-Za-z0-9_.:-]{1,100}$/;
const MAX_CONDITIONS = 20;
const MAX_LIST = 1000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Reads a permission as Rocket's `/_admin/permissions` takes it, every problem at once.
 * The shape only: whether the entity and its fields exist, and whether the values fit the
 * fields' types, is the metadata registry's check (it knows the entity).
 */
export function parsePermission(input: unknown): PermissionParse {
  if (!isObject(input)) return { ok: false, details: [{ field: '', rule: 'type', message: 'a permission must be a JSON object' }] };
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(input)) if (!KEYS.has(key)) details.push({ field: key, rule: 'unknown', message: `unknown key ${key}` });
  const id = input.id ?? input.name;
  if (typeof id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(id)) details.push({ field: 'id', rule: 'pattern', message: 'id must be 1 to 100 letters, digits, _ . or -' });
  if (typeof input.entity !== 'string' || input.entity === '') details.push({ field: 'entity', rule: 'required', message: 'entity is required' });
  if (typeof input.action !== 'string' || !(PERMISSION_ACTIONS as readonly string[]).includes(input.action)) {
    details.push({ field: 'action', rule: 'enum', message: `action must be one of ${PERMISSION_ACTIONS.join(', ')}` });
  }
  const roles = input.roles;
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > 100 || roles.some((r) => typeof r !== 'string' || !ROLE.test(r))) {
    details.push({ field: 'roles', rule: 'type', message: 'roles must be a list of 1 to 100 role names' });
  }
  const conditions = input.conditions ?? [];
  if (!Array.isArray(conditions) || conditions.length > MAX_CONDITIONS) {
    details.push({ field: 'conditions', rule: 'type', message: `conditions must be a list of at most ${MAX_CONDITIONS}` });
  } else {
    conditions.forEach((condition, i) => details.push(...conditionProblems(condition, `conditions[${i}]`)));
  }
  if (details.length > 0) return { ok: false, details };
  return {
    ok: true,
    value: {
      name: id as string,
      id: id as string,
      entity: input.entity as string,
      action: input.action as PermissionAction,
      roles: [...new Set(roles as string[])],
      conditions: (conditions as Record<string, unknown>[]).map((c) => ({ field: c.field as string, operator: c.operator as ConditionOperator, value: c.value })),
    },
  };
}

function conditionProblems(condition: unknown, at: string): ErrorDetail[] {
  if (!isObject(condition)) return [{ field: at, rule: 'type', message: 'a condition is {field, operator, value}' }];
  const problems: ErrorDetail[] = [];
  for (const key of Object.keys(condition)) if (!CONDITION_KEYS.has(key)) problems.push({ field: `${at}.${key}`, rule: 'unknown', message: `unknown key ${key}` });
  if (typeof condition.field !== 'string' || condition.field === '') problems.push({ field: `${at}.field`, rule: 'required', message: 'field is required' });
  const operator = condition.operator;
  if (typeof operator !== 'string' || !(CONDITION_OPERATORS as readonly string[]).includes(operator)) {
    problems.push({ field: `${at}.operator`, rule: 'enum', message: `operator must be one of ${CONDITION_OPERATORS.join(', ')}` });
    return problems;
  }
  const value = condition.value;
  if (LIST_OPERATORS.has(operator as ConditionOperator)) {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST || !value.every(isScalar)) {
      problems.push({ field: `${at}.value`, rule: 'type', message: `${operator} takes a list of 1 to ${MAX_LIST} strings, numbers or booleans` });
    }
  } else if (!isScalar(value)) {
    problems.push({ field: `${at}.value`, rule: 'type', message: `${operator} takes a string, a number or a boolean` });
  }
  return problems;
}
