import { TakesError, type Actor, type AppendCommand } from '@takes/contracts';
import { normalizeRecordState, type AppMetadata, type EntityDefinition } from '@takes/metadata';
import type { AfterCommitAction } from './decision';
import { writeConditions } from './permission-checks';
import { deleteRuleCheck, ruleCheck } from './rule-checks';
import { stateMachineCheck } from './state-machine-check';

/** What every record check may look at besides the two states. */
export interface RecordCheckContext {
  /** The write being decided (for a nested write's related row: its own part). */
  command: AppendCommand;
  /** Who writes (the command's user). */
  user: Actor;
  /** The record's entity. */
  entity: EntityDefinition;
  /**
   * The app's metadata as the store loaded it for the batch: at least the entities the
   * batch writes; all of the app's when the batch also changes its metadata.
   */
  metadata: AppMetadata;
  /**
   * The write's time as the store's clock gave it (ISO 8601; never below the stream's last
   * commit): `now` in rules and guards, and what set_field "now" writes.
   */
  now: string;
  /** What the entity's rules' related_load asked for (relatedView), loaded by the store from committed state and this batch's writes. */
  related?: Record<string, unknown>;
}

/** A record a write's state-machine transition creates in the same command (a create_record action). */
export interface RecordCreate {
  readonly entity: string;
  readonly data: Record<string, unknown>;
}

/** A check's answer: the state to go on with (a check may normalize it), or why it is refused. */
export type RecordCheckResult =
  | {
      ok: true;
      state: Record<string, unknown>;
      /** send_event and webhook actions of the transitions the write makes, in order: events after the write's own. */
      afterCommit?: readonly AfterCommitAction[];
      /** create_record actions of the transitions the write makes, in order: records created in the same command. */
      creates?: readonly RecordCreate[];
    }
  | { ok: false; error: TakesError };

/**
 * One pure check of a record's next state against its previous one (undefined for a
 * create). Rules, state machines and permission write conditions plug in as checks.
 */
export type RecordCheck = (next: Record<string, unknown>, previous: Record<string, unknown> | undefined, context: RecordCheckContext) => RecordCheckResult;

/**
 * The entity's field checks (types, enums, required, unknown fields) on the whole
 * resulting record, normalizing its values; fields left as they were may be hidden ones.
 */
export const fieldValidation: RecordCheck = (next, previous, { entity }) => {
  const checked = normalizeRecordState(entity, next, previous);
  return checked.ok ? { ok: true, state: checked.value } : { ok: false, error: new TakesError('VALIDATION_FAILED', 'validation failed', checked.details) };
};

/**
 * The entity's rules (computed fields set) and state machines (initial state,
 * transitions, set_field); then the field checks again, so values the server set are
 * normalized as a client's are. Both hand back the state they were given when the
 * entity has none, so a write to such an entity is not field-checked twice.
 */
const serverValues: RecordCheck = (next, previous, context) => {
  const result = checkRecord(next, previous, context, [ruleCheck, stateMachineCheck]);
  if (!result.ok || result.state === next) return result;
  const validated = fieldValidation(result.state, previous, context);
  return validated.ok ? withEffects(validated, result) : validated;
};

/**
 * The checks every record write passes, in order: the entity's field checks, the values
 * the server sets, then the permission conditions on the settled result.
 */
export const RECORD_CHECKS: readonly RecordCheck[] = [fieldValidation, serverValues, writeConditions];

/** The checks a delete passes, on the record as it stands: the delete permission's conditions, then the before_delete rules. */
export const DELETE_CHECKS: readonly RecordCheck[] = [writeConditions, deleteRuleCheck];

/** The checks a restore passes, on the record as it stands: the update permission's conditions. */
export const RESTORE_CHECKS: readonly RecordCheck[] = [writeConditions];

/**
 * checkRecord(next, previous, context): runs the checks in order, each on the state the
 * one before it returned, and stops at the first refusal. An online write it refuses is
 * rejected with the check's error; an offline (stale) edit whose merged result it refuses
 * is shelved (kept, not applied).
 */
export function checkRecord(
  next: Record<string, unknown>,
  previous: Record<string, unknown> | undefined,
  context: RecordCheckContext,
  checks: readonly RecordCheck[] = RECORD_CHECKS,
): RecordCheckResult {
  let state = next;
  let afterCommit: AfterCommitAction[] = [];
  let creates: RecordCreate[] = [];
  for (const check of checks) {
    const result = check(state, previous, context);
    if (!result.ok) return result;
    state = result.state;
    if (result.afterCommit) afterCommit = [...afterCommit, ...result.afterCommit];
    if (result.creates) creates = [...creates, ...result.creates];
  }
  return withEffects({ ok: true, state }, { ok: true, state, afterCommit, creates });
}

/** `result` with the actions (after commit, creates) that `from` carries, leaving out empty ones. */
function withEffects(result: { ok: true; state: Record<string, unknown> }, from: Extract<RecordCheckResult, { ok: true }>): RecordCheckResult {
  return {
    ...result,
    ...(from.afterCommit?.length ? { afterCommit: from.afterCommit } : {}),
    ...(from.creates?.length ? { creates: from.creates } : {}),
  };
}
