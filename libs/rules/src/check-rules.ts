/**
 * Running an entity's rules on a write, in Rocket's order: field rules, then expression
 * rules, each in priority order (lowest first); a failing rule with stop_on_fail ends
 * the run; computed fields run last and only when nothing failed, each seeing the
 * values set before it. Inactive rules and rules of another hook are skipped.
 */
import { BoundContext, Checked, RuleDetail } from './compile-expression';
import { checkFieldRule } from './field-rules';
import { ComputedRule, Rule, RuleHook } from './rule-definition';

export type JsonRecord = Record<string, unknown>;

/** What a rule can see besides the record; the shell fills it (related rows from committed state). */
export interface RuleContext {
  /** Default before_write. */
  hook?: RuleHook;
  /** Default: delete for before_delete, create without a previous record, else update. */
  action?: 'create' | 'update' | 'delete';
  user?: { id?: string; roles?: readonly string[] } & JsonRecord;
  /** Related rows by relation name, loaded as the rules' related_load asks. */
  related?: Record<string, unknown>;
  /** The write's time, ISO 8601; the shell passes the commit time so evaluation stays pure. */
  now?: string;
}

function byPriority(rules: readonly Rule[], hook: RuleHook): Rule[] {
  return rules
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => rule.active && rule.hook === hook)
    .sort((a, b) => a.rule.priority - b.rule.priority || a.index - b.index)
    .map(({ rule }) => rule);
}

function bind(record: JsonRecord, previous: JsonRecord | null, context: RuleContext, action: string): BoundContext {
  return BoundContext.of({ record, old: previous, action, user: context.user ?? null, related: context.related ?? {}, now: context.now ?? null });
}

function computedValue(rule: ComputedRule, bound: BoundContext): { value: unknown } | { detail: RuleDetail } {
  const result = rule.expression.evaluate(bound);
  if (!result.ok) return { detail: { field: rule.field, rule: 'computed', message: `evaluate computed field ${rule.field}: ${result.message}` } };
  return { value: result.value };
}

/**
 * Checks `next` (the record as it would be written) against the rules; `previous` is
 * the committed record, null on create. The value returned is `next` with computed
 * fields set; `next` itself is not changed.
 */
export function checkRules(rules: readonly Rule[], next: JsonRecord, previous: JsonRecord | null, context: RuleContext = {}): Checked<JsonRecord> {
  const hook = context.hook ?? 'before_write';
  const action = context.action ?? (hook === 'before_delete' ? 'delete' : previous === null ? 'create' : 'update');
  const ordered = byPriority(rules, hook);
  const details: RuleDetail[] = [];
  const failed = (detail: RuleDetail, rule: Rule): boolean => {
    details.push(detail);
    return rule.stopOnFail;
  };

  for (const rule of ordered) {
    if (rule.type !== 'field') continue;
    for (const condition of rule.conditions) {
      const detail = checkFieldRule({ ...condition, ...(rule.message === undefined ? {} : { message: rule.message }) }, next);
      if (detail && failed(detail, rule)) return { ok: false, details };
    }
  }
  const expressions = ordered.filter((rule) => rule.type === 'expression');
  const bound = expressions.length > 0 ? bind(next, previous, context, action) : null;
  for (const rule of expressions) {
    if (rule.type !== 'expression' || !bound) continue;
    const result = rule.expression.evaluate(bound);
    const field = rule.field === undefined ? {} : { field: rule.field };
    if (!result.ok) {
      if (failed({ ...field, rule: 'expression', message: `rule evaluation error: ${result.message}` }, rule)) return { ok: false, details };
    } else if (result.value === true) {
      if (failed({ ...field, rule: 'expression', message: rule.message ?? 'Expression rule violated' }, rule)) return { ok: false, details };
    }
  }
  if (details.length > 0) return { ok: false, details };

  let record = next;
  for (const rule of ordered) {
    if (rule.type !== 'computed') continue;
    const outcome = computedValue(rule, bind(record, previous, context, action));
    if ('detail' in outcome) details.push(outcome.detail);
    else record = { ...record, [rule.field]: outcome.value };
  }
  return details.length > 0 ? { ok: false, details } : { ok: true, value: record };
}
