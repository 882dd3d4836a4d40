import { compare, deepClone } from 'fast-json-patch';
import { TakesError, type AppendCommand, type EventType, type PatchOperation } from '@takes/contracts';
import { isLinkEntity, type AppMetadata, type EntityDefinition } from '@takes/metadata';
import { applyClientPatch } from '@takes/merge';
import { touchedFields } from './touched-fields';
import { checkSize, DEFAULT_LIMITS, nextEvent, reject, afterCommitEvents, type AfterCommitAction, type AppendDecision, type DecideLimits, type Decision, type StreamHead } from './decision';
import { decideStale, shelve, staleStamp, type StaleContext } from './decide-stale';
import { roleRefusal } from './permission-checks';
import { checkRecord, DELETE_CHECKS, RESTORE_CHECKS, type RecordCheck, type RecordCreate } from './record-checks';
import { clientFieldsDiffer, keyChange, keyRefusal, managedFields, sameKey, stampTimestamps, withoutManagedValues } from './managed-fields';
import { isRecordPick, pickRefusal, decideRecordPick } from './record-pick';
import { uniqueChanges, type UniqueValue } from './unique-values';
import { branchTimeProblem } from './timestamps';
import { decideSignal } from './decide-signal';

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
  /** What the entity's rules' related_load asked for (see relatedLookups), loaded by the store. */
  related?: Record<string, unknown>;
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
 * decideRecord(input) → events or a rejection, for create, put, patch, delete, restore,
 * resolve and signal. Pure: the store calls it inside its append transaction with the locked
 * stream head. A stale edit goes to the entity's policy (decideStale); any other base
 * that is not the head is CONFLICT with the current state and version. The resulting
 * record passes checkRecord. The decision names the unique values it takes: the store
 * looks them up and gives the answer to settleUniqueValues.
 */
export function decideRecord(input: RecordInput): Decision {
  const { head, entity } = input;
  const limits = input.limits ?? DEFAULT_LIMITS;
  if (input.command.op === 'define' || input.command.op === 'remove') return reject('INVALID_PAYLOAD', `${input.command.op} is for metadata (_meta) only`);
  // A many_to_many link record has no definition of its own: the gateway builds its
  // state (the join-table row) from the relation.
  if (!entity && !isLinkEntity(input.command.entity)) return reject('UNKNOWN_ENTITY', `unknown entity ${input.command.entity}`);
  // A record's key never changes, and the fields the server manages are set here, after
  // any merge, from the write's time: what a command says about them is dropped first
  // (a pick of one is refused).
  const managed = entity ? managedFields(entity, input.metadata) : new Set<string>();
  if (entity && head && head.version > 0 && input.command.op !== 'create') {
    const problem = keyChange(input.command, entity, head.state) ?? (input.command.op === 'resolve' ? pickRefusal(entity, managed, (input.command.data as { field: string }).field) : null);
    if (problem) return { kind: 'reject', error: problem };
  }
  const command = entity ? withoutManagedValues(input.command, managed) : input.command;
  if (command instanceof TakesError) return { kind: 'reject', error: command };
  const now = input.now ?? head?.lastCommitTs ?? EPOCH;
  const context = entity && { command, user: command.user, entity, metadata: input.metadata, now, related: input.related };
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
    const stale = input.stale && isStaleEdit(command, head, entity) ? input.stale : undefined;
    // A client's branch time cannot be (far) before the version it edited was written.
    const baseCommitTs = stale ? (stale.baseCommitTs ?? null) : base === headVersion ? head.lastCommitTs : null;
    const tooEarly = command.op !== 'resolve' && branchTimeProblem(command.branch_ts, base, baseCommitTs);
    if (tooEarly) return reject('VALIDATION_FAILED', tooEarly.message, [tooEarly]);
    // Without its history (not loaded) a stale edit cannot be merged: CONFLICT below.
    if (context && stale) return checkSize(decideStale(context, head, stale, input.checks, input.deleteChecks), limits);
    if (base !== headVersion) {
      return reject('CONFLICT', `stale write: version ${base} was edited, the record is at version ${headVersion}`, {
        version: headVersion,
        base_version: base,
        current: head.state,
        deleted: head.deleted,
      });
    }
    // A reviewer's pick of a whole-record contest (deleted or not): allowed on a deleted record.
    if (context && isRecordPick(command)) return checkSize(decideRecordPick(context, head, input.deleteChecks ?? DELETE_CHECKS), limits);
    if (command.op === 'restore') {
      if (!head.deleted) return reject('CONFLICT', `${command.entity} ${command.entity_id} is not deleted`);
    } else if (head.deleted) {
      return reject('NOT_FOUND', `${command.entity} ${command.entity_id} was deleted`, { version: headVersion, deleted: true });
    }
    if (command.op === 'signal') return checkSize(decideSignal(command, head, context || null), limits);
  }

  const current = head?.state ?? {};
  const written = nextState(command, current, head?.deleted ?? false);
  if (written instanceof TakesError) return { kind: 'reject', error: written };
  let state = written.state;
  let afterCommit: readonly AfterCommitAction[] | undefined;
  let creates: readonly RecordCreate[] | undefined;
  if (context && command.op === 'create') {
    const checked = checkRecord(stampTimestamps(context.entity, state, 'create', now), undefined, context, input.checks);
    if (!checked.ok) return { kind: 'reject', error: checked.error };
    state = checked.state;
    afterCommit = checked.afterCommit;
    creates = checked.creates;
  } else if (context && (command.op === 'put' || command.op === 'patch' || command.op === 'resolve')) {
    const checked = checkRecord(state, current, context, input.checks);
    if (!checked.ok) return { kind: 'reject', error: checked.error };
    if (!sameKey(checked.state[context.entity.primary_key.field], current[context.entity.primary_key.field])) {
      return { kind: 'reject', error: keyRefusal(context.entity.primary_key.field) };
    }
    const changes = clientFieldsDiffer(current, checked.state, managed);
    // A write that changes nothing appends nothing: the answer is the current version
    // (a pick still appends: it settles the contest, whatever value it keeps).
    if (!changes && command.op !== 'resolve') return unchanged(head!);
    state = changes ? stampTimestamps(context.entity, checked.state, 'update', now) : checked.state;
    afterCommit = checked.afterCommit;
    creates = checked.creates;
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
  const events = [event, ...afterCommitEvents(event, afterCommit)];
  return checkSize(
    {
      kind: 'append',
      events,
      next: { version: events[events.length - 1].version, state, deleted: written.deleted },
      outcome: 'applied',
      contested: [],
      reserve: uniqueChanges(entity, current, state).reserve,
      ...(creates ? { creates } : {}),
    },
    limits,
  );
}

/** A write that changes nothing: no event, the record as it stands at its version. */
export function unchanged(head: StreamHead): Decision {
  return { kind: 'append', events: [], next: { version: head.version, state: head.state, deleted: head.deleted }, outcome: 'unchanged', contested: [], reserve: [] };
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
