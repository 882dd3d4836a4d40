/**
 * Deciding a write against a state machine, as Rocket's engine does (its
 * state_machine.go), plus the role check its design page asks for:
 *
 * - the state field absent from the write, or unchanged: nothing to do;
 * - on create: the initial state is set when the field is absent, and any other state
 *   than the initial one is refused ("Initial state must be 'draft', got 'sent'");
 * - no transition from the old state to the new one: 422 "Invalid transition from 'X' to 'Y'";
 * - a transition with roles that the user has none of: 403;
 * - a guard that is false: 422 naming the guard; one that fails to run or is not a
 *   boolean: 422 "Guard evaluation error";
 * - otherwise allowed: set_field actions applied to the record ("now" is the write's
 *   time), the other actions returned in order for the shell to perform.
 */
import { RuleDetail } from '@takes/rules';
import { StateMachine, Transition, TransitionAction } from './state-machine-definition';

type JsonRecord = Record<string, unknown>;

export interface TransitionContext {
  user?: { id?: string; roles?: readonly string[] } & JsonRecord;
  /** The write's time, ISO 8601 (the commit time); what "now" in set_field becomes. */
  now: string;
  related?: Record<string, unknown>;
}

/** What the shell does after or alongside the write. */
export type ShellAction = Exclude<TransitionAction, { type: 'set_field' }>;

export type TransitionOutcome =
  | { kind: 'unchanged'; record: JsonRecord }
  | { kind: 'initial'; record: JsonRecord }
  | { kind: 'allowed'; record: JsonRecord; transition: Transition; from: string; to: string; actions: ShellAction[] }
  | { kind: 'refused'; status: 422 | 403; details: RuleDetail[] };

function stateText(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function refused(status: 422 | 403, field: string, message: string): TransitionOutcome {
  return { kind: 'refused', status, details: [{ field, rule: 'state_machine', message }] };
}

/** The transition from `from` to `to`, the first one listed that matches (Rocket's FindTransition). */
export function findTransition(machine: StateMachine, from: string, to: string): Transition | undefined {
  return machine.transitions.find((t) => t.to === to && t.from.includes(from));
}

function applyActions(transition: Transition, record: JsonRecord, now: string): { record: JsonRecord; actions: ShellAction[] } {
  let next = record;
  const actions: ShellAction[] = [];
  for (const action of transition.actions) {
    if (action.type === 'set_field') next = { ...next, [action.field]: action.value === 'now' ? now : action.value };
    else actions.push(action);
  }
  return { record: next, actions };
}

/**
 * Checks the move from `previous` (the committed record, null on create) to `next`
 * (the record as it would be written) against one machine. An inactive machine
 * leaves every write unchanged.
 */
export function checkTransition(machine: StateMachine, previous: JsonRecord | null, next: JsonRecord, context: TransitionContext): TransitionOutcome {
  const field = machine.field;
  if (!machine.active) return { kind: 'unchanged', record: next };
  const present = Object.prototype.hasOwnProperty.call(next, field) && next[field] !== undefined;

  if (previous === null) {
    if (!present || next[field] === null) {
      return machine.initial === undefined ? { kind: 'unchanged', record: next } : { kind: 'initial', record: { ...next, [field]: machine.initial } };
    }
    const state = stateText(next[field]);
    if (machine.initial !== undefined && state !== machine.initial) {
      return refused(422, field, `Initial state must be '${machine.initial}', got '${state}'`);
    }
    return { kind: 'initial', record: next };
  }

  if (!present) return { kind: 'unchanged', record: next };
  const from = stateText(previous[field]);
  const to = stateText(next[field]);
  if (from === to) return { kind: 'unchanged', record: next };

  const transition = findTransition(machine, from, to);
  if (!transition) return refused(422, field, `Invalid transition from '${from}' to '${to}'`);

  if (transition.roles.length > 0) {
    const roles = context.user?.roles ?? [];
    if (!transition.roles.some((role) => roles.includes(role))) {
      return refused(403, field, `Transition from '${from}' to '${to}' needs one of the roles ${transition.roles.join(', ')}`);
    }
  }

  if (transition.guard) {
    const result = transition.guard.evaluate({ record: next, old: previous, action: 'update', user: context.user ?? null, related: context.related ?? {}, now: context.now });
    if (!result.ok) return refused(422, field, `Guard evaluation error: ${result.message}`);
    if (typeof result.value !== 'boolean') return refused(422, field, 'Guard evaluation error: guard did not return bool');
    if (!result.value) return refused(422, field, `Transition from '${from}' to '${to}' blocked by guard: ${transition.guard.text}`);
  }

  const { record, actions } = applyActions(transition, next, context.now);
  return { kind: 'allowed', record, transition, from, to, actions };
}
