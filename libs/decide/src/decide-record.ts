import { compare, deepClone } from 'fast-json-patch';
import { TakesError, type AppendCommand, type EventType, type PatchOperation } from '@takes/contracts';
import { isLinkEntity, type AppMetadata, type EntityDefinition } from '@takes/metadata';
import { applyClientPatch } from '@takes/merge';
import { touchedFields } from './touched-fields';
import { checkSize, DEFAULT_LIMITS, nextEvent, reject, type AppendDecision, type DecideLimits, type Decision, type StreamHead } from './decision';
import { decideStale, shelve, staleStamp, type StaleContext } from './decide-stale';
import { roleRefusal } from './permission-checks';
import { checkRecord, DELETE_CHECKS, RESTORE_CHECKS, type RecordCheck } from './record-checks';
import { uniqueChanges, type UniqueValue } from './unique-values';

/** What the record decider decides on: one write to one record, and what the store loaded for it. */
export interface RecordInput {
  command: AppendCommand;
  /** The record's stream head, locked by the store (null: no stream yet). */
  head: StreamHead | null;
  /** The record's entity; null when the app has none of that name (a many_to_many link record has none of its own). */
  entity: EntityDefinition | null;
  /** The app's metadata as the store loaded it (see RecordCheckContext.metadata). */
  metadata: AppMetadata;
  /** A stale edit's history, loaded when isStaleEdit says the edit is stale (without it, a stale edit is CONFLICT). */
  stale?: StaleContext;
  limits?: DecideLimits;
  /** The record checks (default RECORD_CHECKS). */
  checks?: readonly RecordCheck[];
  /** The checks of a delete (default DELETE_CHECKS). */
  deleteChecks?: readonly RecordCheck[];
  /**
   * The store's clock for this write (ISO 8601), the one it read at the start of the
   * append transaction, never below the stream's last commit: `now` for rules, guards and
   * set_field. Default: the stream's last commit time.
   */
  now?: string;
}

const EPOCH = new Date(0).toISOString();

/**
 * Whether a write is an offline (stale) edit the entity's policy judges: a put, patch,
 * delete or restore of an existing record of a defined entity, made on a version older
 * than the head. The store loads a StaleContext for exactly these.
 */
export function isStaleEdit(command: AppendCommand, head: StreamHead | null, entity: EntityDefinition | null): boolean {
  if (!head || !entity) return false;
  if (command.op !== 'put' && command.op !== 'patch' && command.op !== 'delete' && command.op !== 'restore') return false;
  return (command.base_version ?? head.version) < head.version;
}

/**
 * decideRecord(input) → events or a rejection, for create, put, patch, delete, restore
 * and resolve. Pure: the store calls it inside its append transaction with the locked
 * stream head. A stale edit goes to the entity's policy (decideStale); any other base
 * that is not the head is CONFLICT with the current state and version. The resulting
 * record passes checkRecord. The decision names the unique values it takes: the store
 * looks them up and gives the answer to settleUniqueValues.
 */
export function decideRecord(input: RecordInput): Decision {
  const { command, head, entity } = input;
  const limits = input.limits ?? DEFAULT_LIMITS;
  if (command.op === 'define' || command.op === 'remove') return reject('INVALID_PAYLOAD', `${command.op} is for metadata (_meta) only`);
  // A many_to_many link record has no definition of its own: the gateway builds its
  // state (the join-table row) from the relation.
  if (!entity && !isLinkEntity(command.entity)) return reject('UNKNOWN_ENTITY', `unknown entity ${command.entity}`);
  const context = entity && { command, user: command.user, entity, metadata: input.metadata, now: input.now ?? head?.lastCommitTs ?? EPOCH };
  // No permission for the action at all: refused before the record is looked at, offline edits included.
  const refusal = context && roleRefusal(context);
  if (refusal) return { kind: 'reject', error: refusal };
  const headVersion = head?.version ?? 0;
  const base = command.base_version ?? headVersion;

  if (command.op === 'create') {
    if (head && head.version > 0) {
      return reject('CONFLICT', `${command.entity} ${command.entity_id} already exists`, { version: head.version, current: head.state });
    }
    if (base !== 0) return reject('CONFLICT', 'a create has no base version', { version: 0 });
  } else {
    if (!head || head.version === 0) return reject('NOT_FOUND', `${command.entity} ${command.entity_id} not found`);
    // Without its history (not loaded) a stale edit cannot be merged: CONFLICT below.
    if (context && input.stale && isStaleEdit(command, head, entity)) return checkSize(decideStale(context, head, input.stale, input.checks, input.deleteChecks), limits);
    if (base !== headVersion) {
      return reject('CONFLICT', `stale write: version ${base} was edited, the record is at version ${headVersion}`, {
        version: headVersion,
        base_version: base,
        current: head.state,
        deleted: head.deleted,
      });
    }
    if (command.op === 'restore') {
      if (!head.deleted) return reject('CONFLICT', `${command.entity} ${command.entity_id} is not deleted`);
    } else if (head.deleted) {
      return reject('NOT_FOUND', `${command.entity} ${command.entity_id} was deleted`, { version: headVersion, deleted: true });
    }
  }

  const current = head?.state ?? {};
  const written = nextState(command, current, head?.deleted ?? false);
  if (written instanceof TakesError) return { kind: 'reject', error: written };
  let state = written.state;
  if (context && (command.op === 'create' || command.op === 'put' || command.op === 'patch' || command.op === 'resolve')) {
    const checked = checkRecord(state, command.op === 'create' ? undefined : current, context, input.checks);
    if (!checked.ok) return { kind: 'reject', error: checked.error };
    state = checked.state;
  } else if (context && command.op === 'delete') {
    // The delete's own hook point: before_delete rules see the record as it stands.
    const checked = checkRecord(current, current, context, input.deleteChecks ?? DELETE_CHECKS);
    if (!checked.ok) return { kind: 'reject', error: checked.error };
  } else if (context && command.op === 'restore') {
    const checked = checkRecord(current, current, context, RESTORE_CHECKS);
    if (!checked.ok) return { kind: 'reject', error: checked.error };
  }

  const event = nextEvent(head, {
    type: written.type,
    base_version: base,
    patch: compare(command.op === 'create' ? {} : current, state) as PatchOperation[],
    submitted: written.submitted,
    branch_ts: command.branch_ts,
    submit_ts: command.submit_ts,
  });
  return checkSize(
    {
      kind: 'append',
      events: [event],
      next: { version: event.version, state, deleted: written.deleted },
      outcome: 'applied',
      contested: [],
      reserve: uniqueChanges(entity, current, state).reserve,
    },
    limits,
  );
}

/** What a fresh write makes of the record: its event type, next state and what it submitted. */
function nextState(
  command: AppendCommand,
  current: Record<string, unknown>,
  deleted: boolean,
): { type: EventType; state: Record<string, unknown>; submitted: Record<string, unknown>; deleted: boolean } | TakesError {
  switch (command.op) {
    case 'create':
      return { type: 'created', state: deepClone(command.data ?? {}), submitted: command.data ?? {}, deleted: false };
    case 'put':
      return { type: 'updated', state: { ...deepClone(current), ...deepClone(command.data ?? {}) }, submitted: command.data ?? {}, deleted };
    case 'patch': {
      const result = applyClientPatch(current, command.patch ?? []);
      if (result instanceof TakesError) return result;
      return { type: 'updated', state: result, submitted: Object.fromEntries(touchedFields(command.patch ?? []).map((f) => [f, result[f] ?? null])), deleted };
    }
    case 'delete':
      return { type: 'deleted', state: current, submitted: {}, deleted: true };
    case 'restore':
      return { type: 'restored', state: current, submitted: {}, deleted: false };
    case 'resolve': {
      const { field, value } = command.data as { field: string; value: unknown };
      const result = applyClientPatch(current, [{ op: 'add', path: field, value }]);
      if (result instanceof TakesError) return result;
      const top = field.split('/')[1].replace(/~1/g, '/').replace(/~0/g, '~');
      return { type: 'resolved', state: result, submitted: { [top]: result[top] ?? null }, deleted };
    }
    default:
      return new TakesError('INVALID_PAYLOAD', `unknown operation ${command.op}`);
  }
}

/**
 * The second step of a record write: the store's answer to "does another record hold one
 * of the unique values this decision takes?" (null: none). A value taken refuses an
 * online write with CONFLICT and shelves an offline (stale) edit: kept, not applied.
 */
export function settleUniqueValues(input: RecordInput, decision: AppendDecision, taken: UniqueValue | null): Decision {
  if (!taken) return decision;
  if (input.stale && input.head) {
    const reason = { code: 'CONFLICT' as const, message: `${taken.field} must be unique`, details: [{ field: taken.field, rule: 'unique', message: `${taken.field} must be unique` }] };
    return shelve(input.head, decision.events[decision.events.length - 1].submitted, staleStamp(input.stale), reason);
  }
  return reject('CONFLICT', `${taken.field} ${JSON.stringify(taken.value)} is taken by another ${input.command.entity}`, [
    { field: taken.field, rule: 'unique', message: `${taken.field} must be unique` },
  ]);
}
