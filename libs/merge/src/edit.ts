import { applyPatch, JsonPatchError } from 'fast-json-patch';
import { TakesError, type PatchOperation, type RecordState, type TakesEvent } from '@takes/contracts';
import { changedPaths, clone, isPlainObject, overlay, setOwn, type Change, type JsonObject } from './json-document';

/** A record at one version, as a replay (evolve) or the stream head gives it. */
export type RecordVersion = RecordState;

/**
 * What the merge reads of an event already in the stream. A `TakesEvent` fits as it is,
 * so the store passes the rows it loaded. submit_ts is the stored (clamped) one.
 */
export type PriorEvent = Pick<
  TakesEvent,
  'id' | 'command_id' | 'parent' | 'type' | 'version' | 'base_version' | 'patch' | 'submitted' | 'submit_ts' | 'device'
>;

/** The operations a stale edit can carry (create has no base; define/remove are metadata). */
export type EditOp = 'put' | 'patch' | 'delete' | 'restore';

/**
 * The client's edit, as the command carries it. The base version is the `base` given
 * to the merge; submit_ts must already be clamped to [branch_ts, commit_ts] by the caller.
 */
export interface IncomingEdit {
  command_id: string;
  /** The command id of the same device's previous offline edit, if any. */
  parent?: string | null;
  device: string | null;
  /** ISO 8601, already clamped. */
  submit_ts: string;
  op: EditOp;
  /** put: the values sent (fields left out keep theirs, null clears one). */
  data?: Record<string, unknown>;
  /** patch: the RFC 6902 document sent, applied to the client's base. */
  patch?: PatchOperation[];
}

/** The client's edit resolved against the state it was made on. */
export interface EditedState {
  /** The record as the client left it. */
  state: JsonObject;
  /** The paths the client changed, with its values (undefined: removed). */
  changes: Change[];
  /** The client's values of the top-level fields it changed (null for a removed one). */
  submitted: Record<string, unknown>;
}

/**
 * Applies the client's edit to the state it was made on (its base, with its own earlier
 * offline edits on top) and finds what it changed. PUT replaces the fields given; PATCH
 * is applied with validation. A top-level field a PATCH removes becomes null (Rocket's
 * "null clears one"), so `submitted` always records it. Delete and restore change no field.
 */
export function editState(clientBase: JsonObject, edit: Pick<IncomingEdit, 'op' | 'data' | 'patch'>): EditedState | TakesError {
  let state: JsonObject;
  switch (edit.op) {
    case 'put':
      state = overlay(clientBase, edit.data ?? {});
      break;
    case 'patch': {
      const patched = applyClientPatch(clientBase, edit.patch ?? []);
      if (patched instanceof TakesError) return patched;
      state = patched;
      for (const key of Object.keys(clientBase)) if (!Object.prototype.hasOwnProperty.call(state, key)) setOwn(state, key, null);
      break;
    }
    default:
      state = clone(clientBase);
  }
  const changes = changedPaths(clientBase, state);
  const submitted: Record<string, unknown> = {};
  for (const change of changes) setOwn(submitted, change.path[0], clone(state[change.path[0]]));
  return { state, changes, submitted };
}

/** The same checks and error codes as decide's fresh PATCH (failed test → 409, bad document → 400). */
function applyClientPatch(state: JsonObject, ops: PatchOperation[]): JsonObject | TakesError {
  try {
    // The operations are copied too: fast-json-patch puts their values into the document
    // by reference, and a later operation would otherwise change the caller's patch.
    const result = applyPatch(clone(state), clone(ops) as never, true, true).newDocument;
    if (!isPlainObject(result)) return new TakesError('INVALID_PAYLOAD', 'the patch must leave the record a JSON object');
    return result;
  } catch (error) {
    if (error instanceof JsonPatchError) {
      if (error.name === 'TEST_OPERATION_FAILED') {
        return new TakesError('CONFLICT', 'a test operation of the patch failed against the edited version', [
          { field: error.operation?.path, rule: 'test', message: 'the edited version does not hold the tested value' },
        ]);
      }
      return new TakesError('INVALID_PAYLOAD', `invalid JSON Patch: ${error.name}`, [
        { field: (error.operation as { path?: string } | undefined)?.path, rule: error.name, message: error.message.split('\n')[0] },
      ]);
    }
    return new TakesError('INVALID_PAYLOAD', 'invalid JSON Patch document');
  }
}
