import { TakesError, type PatchOperation, type RecordState, type TakesEvent } from '@takes/contracts';
import { applyClientPatch } from './client-patch';
import { changedPaths, clone, overlay, setOwn, type Change, type JsonObject } from './json-document';

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
      const patched = applyClientPatch(clientBase, edit.patch ?? [], 'the edited version');
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

