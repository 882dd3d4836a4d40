import { TakesError } from '@takes/contracts';
import { rulesOf, type EntityDefinition } from '@takes/metadata';
import { checkRules, ExactNumber, type Rule, type RuleHook } from '@takes/rules';
import type { RecordCheck, RecordCheckContext } from './record-checks';

type State = Record<string, unknown>;

/**
 * The record as rules and guards read it: a decimal field stored as text ("100.50", as
 * libs/metadata keeps decimals with a precision) becomes an ExactNumber, so that it
 * compares and adds as a number without binary rounding.
 */
export function numericView(entity: EntityDefinition, state: State): State {
  let view: State | undefined;
  for (const field of entity.fields) {
    const value = state[field.name];
    if ((field.type !== 'decimal' && field.type !== 'bigint') || typeof value !== 'string') continue;
    const exact = ExactNumber.fromText(value);
    if (exact === null) continue;
    view ??= { ...state };
    view[field.name] = exact;
  }
  return view ?? state;
}

/** `original` with the fields a check set on `view` (those it replaced: computed fields, set_field, an initial state). */
export function changesBack(original: State, view: State, result: State): State {
  let state: State | undefined;
  for (const [key, value] of Object.entries(result)) {
    if (value === view[key]) continue;
    state ??= { ...original };
    state[key] = value;
  }
  return state ?? original;
}

/**
 * A number a rule computed for a decimal field, as decimal text (its exact digits), the
 * way the field checks then pad it to the field's precision ("450" → "450.00").
 */
function decimalsAsText(entity: EntityDefinition, state: State, before: State): State {
  if (state === before) return state;
  let out: State | undefined;
  for (const field of entity.fields) {
    const value = state[field.name];
    if (field.type !== 'decimal' || typeof value !== 'number' || value === before[field.name]) continue;
    const exact = ExactNumber.fromNumber(value);
    if (exact === null) continue;
    out ??= { ...state };
    out[field.name] = exact.toString();
  }
  return out ?? state;
}

function activeRules(context: RecordCheckContext, hook: RuleHook): Rule[] {
  return rulesOf(context.metadata, context.entity.name).filter((rule) => rule.active && rule.hook === hook);
}

/** Fields the entity's computed rules set: the server's, recomputed after a merge, never contested. */
export function computedFields(context: Pick<RecordCheckContext, 'metadata' | 'entity'>): Set<string> {
  return new Set(rulesOf(context.metadata, context.entity.name).flatMap((rule) => (rule.active && rule.type === 'computed' ? [rule.field] : [])));
}

function runRules(hook: RuleHook): RecordCheck {
  return (next, previous, context) => {
    const rules = activeRules(context, hook);
    if (rules.length === 0) return { ok: true, state: next };
    const view = numericView(context.entity, next);
    const checked = checkRules(rules, view, previous === undefined ? null : numericView(context.entity, previous), {
      hook,
      user: { ...context.user },
      now: context.now,
      related: context.related,
    });
    if (!checked.ok) return { ok: false, error: new TakesError('VALIDATION_FAILED', 'validation failed', checked.details.map((detail) => ({ ...detail }))) };
    return { ok: true, state: decimalsAsText(context.entity, changesBack(next, view, checked.value), next) };
  };
}

/**
 * The entity's before_write rules (Rocket's order: field rules, expression rules, each
 * by priority; then computed fields, set on the record). A failure is 422
 * VALIDATION_FAILED with `details: [{field, rule, message}]`.
 */
export const ruleCheck: RecordCheck = runRules('before_write');

/** The entity's before_delete rules, on the record as it stands before the delete. */
export const deleteRuleCheck: RecordCheck = runRules('before_delete');
