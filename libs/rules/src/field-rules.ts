/**
 * Rocket's field rules (layer 1): one operator on one field (min, max, ... as its engine
 * names them; gte, gt, lte, lt as its design page writes them). As in Rocket, a field that
 * is absent or null passes every operator except `required` and `not_empty`, and a
 * value of the wrong kind for the operator (a string for `min`) passes too: the
 * field's type check is the entity's job.
 */
import { RuleDetail } from './compile-expression';
import { ExactNumber } from './exact-number';

export const FIELD_OPERATORS = ['min', 'max', 'min_length', 'max_length', 'pattern', 'required', 'enum', 'not_empty', 'gte', 'gt', 'lte', 'lt'] as const;
export type FieldOperator = (typeof FIELD_OPERATORS)[number];

/** Longest value a pattern is tested against; longer values fail the rule rather than risk a slow match. */
const MAX_PATTERN_INPUT = 10_000;
/** A quantified group that is itself quantified, `(a+)+`: the shape of catastrophic backtracking. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;

type ValueCheck = { ok: true; pattern?: RegExp } | { ok: false; message: string };

function numeric(value: unknown): ExactNumber | null {
  if (typeof value === 'number') return ExactNumber.fromNumber(value);
  if (typeof value === 'string') return ExactNumber.fromText(value.trim());
  return null;
}

/** Checks an operator's `value` when the rule is saved (and compiles a pattern). */
export function checkFieldRuleValue(operator: FieldOperator, value: unknown): ValueCheck {
  switch (operator) {
    case 'min':
    case 'max':
    case 'gte':
    case 'gt':
    case 'lte':
    case 'lt':
      return typeof value === 'number' && Number.isFinite(value) ? { ok: true } : { ok: false, message: `${operator} needs a number value` };
    case 'min_length':
    case 'max_length':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0
        ? { ok: true }
        : { ok: false, message: `${operator} needs a whole number value` };
    case 'pattern': {
      if (typeof value !== 'string' || value === '') return { ok: false, message: 'pattern needs a regular expression value' };
      if (value.length > 1000) return { ok: false, message: 'pattern is longer than 1000 characters' };
      if (NESTED_QUANTIFIER.test(value) || /\\[1-9]/.test(value)) {
        return { ok: false, message: 'pattern has a nested repetition or a back-reference, which can make matching slow' };
      }
      try {
        return { ok: true, pattern: new RegExp(value) };
      } catch (error) {
        return { ok: false, message: `pattern is not a valid regular expression: ${(error as Error).message}` };
      }
    }
    case 'enum':
      return Array.isArray(value) && value.length > 0 ? { ok: true } : { ok: false, message: 'enum needs a non-empty list value' };
    default:
      return { ok: true };
  }
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

function fails(operator: FieldOperator, value: unknown, ruleValue: unknown, pattern: RegExp | undefined): boolean {
  switch (operator) {
    case 'required':
      return value === undefined || value === null || value === '';
    case 'not_empty':
      return isEmpty(value);
    case 'min':
    case 'max':
    case 'gte':
    case 'gt':
    case 'lte':
    case 'lt': {
      const n = numeric(value);
      const limit = numeric(ruleValue);
      if (n === null || limit === null || typeof value === 'boolean') return false;
      const c = n.compare(limit);
      // min and max are Rocket's inclusive bounds; gte, gt, lte and lt its design page's comparisons.
      return operator === 'min' || operator === 'gte' ? c < 0 : operator === 'max' || operator === 'lte' ? c > 0 : operator === 'gt' ? c <= 0 : c >= 0;
    }
    case 'min_length':
    case 'max_length': {
      if (typeof value !== 'string') return false;
      const length = [...value].length;
      return operator === 'min_length' ? length < Number(ruleValue) : length > Number(ruleValue);
    }
    case 'pattern':
      if (typeof value !== 'string') return false;
      return value.length > MAX_PATTERN_INPUT || !(pattern ?? new RegExp(String(ruleValue))).test(value);
    case 'enum':
      return Array.isArray(ruleValue) && !ruleValue.some((allowed) => allowed === value);
  }
}

/** One field rule against a record: null when it passes, else the detail (Rocket's default message when none is set). */
export function checkFieldRule(
  rule: { field: string; operator: FieldOperator; value: unknown; message?: string; pattern?: RegExp },
  record: Readonly<Record<string, unknown>>,
): RuleDetail | null {
  const value = Object.prototype.hasOwnProperty.call(record, rule.field) ? record[rule.field] : undefined;
  const checksAbsent = rule.operator === 'required' || rule.operator === 'not_empty';
  if (!checksAbsent && (value === undefined || value === null)) return null;
  if (!fails(rule.operator, value, rule.value, rule.pattern)) return null;
  return { field: rule.field, rule: rule.operator, message: rule.message ?? `field ${rule.field} failed ${rule.operator} validation` };
}
