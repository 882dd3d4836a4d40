import { applyPatch, compare, deepClone, JsonPatchError } from 'fast-json-patch';
import {
  TakesError,
  type AppendCommand,
  type EventType,
  type PatchOperation,
  type TakesEvent,
} from '@takes/contracts';
import { isLinkEntity, normalizeRecordState, parseEntityDefinition, type EntityDefinition } from '@takes/metadata';
import type { RecordState } from './record-state';
import { decideStale, type StaleContext } from './decide-stale';

/** The entity that holds metadata: entity_id `entity:<name>`, `relation:<name>`, ... */
export const META_ENTITY = '_meta';

/** The head of a record's stream as the store holds it (null version 0 = no stream yet). */
export interface StreamHead extends RecordState {
  lastCommitTs: string | null;
}

/**
 * An event decided but not yet stamped by the store: the envelope's fields that decide
 * fills (id, position and commit_ts come at append; branch and submit may still be open).
 */
export type PendingEvent = Pick<TakesEvent, 'type' | 'version' | 'prior_version' | 'base_version' | 'patch' | 'submitted' | 'contested'> & {
  branch_ts: string | null;
  submit_ts: string | null;
  /** lost_update: the values the write destroyed, by JSON Pointer. */
  overwritten?: Record<string, unknown>;
};

export type Decision =
  | { kind: 'append'; events: PendingEvent[]; next: RecordState; outcome: 'applied' | 'merged' | 'shelved'; contested: string[] }
  | { kind: 'reject'; error: TakesError };

/** A decision to append. */
export type AppendDecision = Extract<Decision, { kind: 'append' }>;

export interface DecideLimits {
  /** Largest event, as JSON, the store accepts (512 KiB by default). */
  maxEventBytes: number;
}

export const DEFAULT_LIMITS: DecideLimits = { maxEventBytes: 512 * 1024 };

/** Room for the envelope's own fields (ids, timestamps, user) around patch and submitted. */
const ENVELOPE_BYTES = 1024;

function reject(code: TakesError['code'], message: string, details?: TakesError['details']): Decision {
  return { kind: 'reject', error: new TakesError(code, message, details) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Top-level fields a JSON Patch document touches, by its paths and `from`s. */
function touchedFields(ops: PatchOperation[]): string[] {
  const fields = new Set<string>();
  for (const op of ops) {
    for (const pointer of [op.path, op.from]) {
      if (typeof pointer !== 'string' || pointer === '') continue;
      const first = pointer.split('/')[1];
      if (first !== undefined) fields.add(first.replace(/~1/g, '/').replace(/~0/g, '~'));
    }
  }
  return [...fields];
}

function applyClientPatch(state: Record<string, unknown>, ops: PatchOperation[]): Record<string, unknown> | TakesError {
  try {
    const result = applyPatch(deepClone(state), ops as never, true, true).newDocument;
    if (!isPlainObject(result)) return new TakesError('INVALID_PAYLOAD', 'the patch must leave the record a JSON object');
    return result;
  } catch (error) {
    if (error instanceof JsonPatchError) {
      if (error.name === 'TEST_OPERATION_FAILED') {
        return new TakesError('CONFLICT', 'a test operation of the patch failed', [
          { field: error.operation?.path, rule: 'test', message: 'the record does not hold the tested value' },
        ]);
      }
      return new TakesError('INVALID_PAYLOAD', `invalid JSON Patch: ${error.name}`, [
        { field: (error.operation as { path?: string } | undefined)?.path, rule: error.name, message: error.message.split('\n')[0] },
      ]);
    }
    return new TakesError('INVALID_PAYLOAD', 'invalid JSON Patch document');
  }
}

/**
 * decide(command, head, events since base) → events or a rejection. Pure: the store
 * calls it inside its append transaction with the locked stream head.
 *
 * Here a stale base (the client edited an older version) is rejected with CONFLICT,
 * carrying the current state and version; merge policies plug in at that point.
 */
export function decideAppend(
  command: AppendCommand,
  head: StreamHead | null,
  _sinceBase: readonly unknown[],
  limits: DecideLimits = DEFAULT_LIMITS,
  entity: EntityDefinition | null = null,
  stale?: StaleContext,
): Decision {
  const headVersion = head?.version ?? 0;
  const base = command.base_version ?? headVersion;
  const meta = command.entity === META_ENTITY;
  if (meta !== (command.op === 'define' || command.op === 'remove')) {
    return reject('INVALID_PAYLOAD', meta ? 'metadata takes define or remove' : `${command.op} is for metadata (_meta) only`);
  }
  // A many_to_many link record has no definition of its own: the gateway builds its
  // state (the join-table row) from the relation.
  if (!meta && !entity && !isLinkEntity(command.entity)) return reject('UNKNOWN_ENTITY', `unknown entity ${command.entity}`);
  let definition = command.data;
  if (command.op === 'define' && command.entity_id.startsWith('entity:')) {
    const parsed = parseEntityDefinition(command.data);
    if (!parsed.ok) return reject('VALIDATION_FAILED', 'invalid entity definition', parsed.details);
    definition = parsed.value as unknown as Record<string, unknown>;
  }

  if (command.op === 'define') {
    if (base !== headVersion) {
      return reject('CONFLICT', `${command.entity_id} changed meanwhile: version ${base} was read, it is at ${headVersion}`, {
        version: headVersion,
        current: head?.state ?? null,
      });
    }
  } else if (command.op === 'remove') {
    if (!head || head.version === 0 || head.deleted) return reject('NOT_FOUND', `${command.entity_id} not found`);
    if (base !== headVersion) return reject('CONFLICT', `${command.entity_id} changed meanwhile`, { version: headVersion });
  } else if (command.op === 'create') {
    if (head && head.version > 0) {
      return reject('CONFLICT', `${command.entity} ${command.entity_id} already exists`, {
        version: head.version,
        current: head.state,
      });
    }
    if (base !== 0) return reject('CONFLICT', 'a create has no base version', { version: 0 });
  } else {
    if (!head || head.version === 0) return reject('NOT_FOUND', `${command.entity} ${command.entity_id} not found`);
    if (base < headVersion && stale && entity && command.op !== 'resolve') return checkSize(decideStale(command, head, entity, stale), limits);
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
  let nextState: Record<string, unknown>;
  let submitted: Record<string, unknown>;
  let type: EventType;
  let deleted = head?.deleted ?? false;

  switch (command.op) {
    case 'create':
      type = 'created';
      nextState = deepClone(command.data ?? {});
      submitted = command.data ?? {};
      deleted = false;
      break;
    case 'put':
      type = 'updated';
      nextState = { ...deepClone(current), ...deepClone(command.data ?? {}) };
      submitted = command.data ?? {};
      break;
    case 'patch': {
      const result = applyClientPatch(current, command.patch ?? []);
      if (result instanceof TakesError) return { kind: 'reject', error: result };
      nextState = result;
      type = 'updated';
      submitted = Object.fromEntries(touchedFields(command.patch ?? []).map((f) => [f, result[f] ?? null]));
      break;
    }
    case 'delete':
      type = 'deleted';
      nextState = current;
      submitted = {};
      deleted = true;
      break;
    case 'restore':
      type = 'restored';
      nextState = current;
      submitted = {};
      deleted = false;
      break;
    case 'resolve': {
      const { field, value } = command.data as { field: string; value: unknown };
      const result = applyClientPatch(current, [{ op: 'add', path: field, value }]);
      if (result instanceof TakesError) return { kind: 'reject', error: result };
      type = 'resolved';
      nextState = result;
      const top = field.split('/')[1].replace(/~1/g, '/').replace(/~0/g, '~');
      submitted = { [top]: result[top] ?? null };
      break;
    }
    case 'define':
      type = 'defined';
      nextState = deepClone(definition ?? {});
      submitted = command.data ?? {};
      deleted = false;
      break;
    case 'remove':
      type = 'removed';
      nextState = current;
      submitted = {};
      deleted = true;
      break;
    default:
      return reject('INVALID_PAYLOAD', `unknown operation ${(command as { op: string }).op}`);
  }

  if (entity && (command.op === 'create' || command.op === 'put' || command.op === 'patch' || command.op === 'resolve')) {
    // The same checks the gateway ran on the body, now on the whole resulting record
    // (a patch is only known here); fields left as they were may be hidden ones.
    const checked = normalizeRecordState(entity, nextState, command.op === 'create' ? undefined : current);
    if (!checked.ok) return reject('VALIDATION_FAILED', 'validation failed', checked.details);
    nextState = checked.value;
  }

  const patch = compare(command.op === 'create' ? {} : current, nextState) as PatchOperation[];
  const event: PendingEvent = {
    type,
    version: headVersion + 1,
    prior_version: headVersion,
    base_version: base,
    patch,
    submitted,
    contested: [],
    branch_ts: command.branch_ts ?? null,
    submit_ts: command.submit_ts ?? null,
  };
  return checkSize(
    { kind: 'append', events: [event], next: { version: event.version, state: nextState, deleted }, outcome: 'applied', contested: [] },
    limits,
  );
}

/** Refuses a decision whose events are over the size limit (as JSON). */
function checkSize(decision: Decision, limits: DecideLimits): Decision {
  if (decision.kind === 'reject') return decision;
  for (const event of decision.events) {
    const bytes = Buffer.byteLength(JSON.stringify(event)) + ENVELOPE_BYTES;
    if (bytes > limits.maxEventBytes) {
      return reject('INVALID_PAYLOAD', `the event would be ${bytes} bytes; the limit is ${limits.maxEventBytes}`, [
        { rule: 'max_event_bytes', message: `events are limited to ${limits.maxEventBytes} bytes of JSON` },
      ]);
    }
  }
  return decision;
}
