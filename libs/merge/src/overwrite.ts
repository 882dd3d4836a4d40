import { compare } from 'fast-json-patch';
import { TakesError, type PatchOperation } from '@takes/contracts';
import { editState, type IncomingEdit } from './edit';
import { changedPaths, clone, jsonEqual, overlaps, setOwn, toPointer, valueAt, writeAt } from './json-document';

export type OverwriteResult =
  | {
      kind: 'apply';
      /** The head with the client's changed paths written over it. */
      nextState: Record<string, unknown>;
      /** RFC 6902 from the head to nextState. */
      patch: PatchOperation[];
      /** The client's values of the top-level fields it changed. */
      submitted: Record<string, unknown>;
      /**
       * What the write destroyed: for each path changed since the base that the client's
       * write replaced, the head's value there (null when it was absent), by JSON Pointer.
       */
      overwritten: Record<string, unknown>;
    }
  | { kind: 'reject'; error: TakesError };

/**
 * History off, `stale_write: overwrite`: the paths the client changed (relative to its
 * base) are written over the head, whatever happened meanwhile; the values that were
 * there and differ are returned so a `lost_update` event can carry them.
 */
export function overwrite(
  baseState: Record<string, unknown>,
  headState: Record<string, unknown>,
  edit: Pick<IncomingEdit, 'op' | 'data' | 'patch'>,
): OverwriteResult {
  const edited = editState(baseState, edit);
  if (edited instanceof TakesError) return { kind: 'reject', error: edited };
  const nextState = clone(headState);
  for (const change of edited.changes) writeAt(nextState, change.path, change.value, edited.state);
  const overwritten: Record<string, unknown> = {};
  for (const lost of changedPaths(baseState, headState)) {
    if (!edited.changes.some((change) => overlaps(change.path, lost.path))) continue;
    if (jsonEqual(valueAt(nextState, lost.path), lost.value)) continue;
    setOwn(overwritten, toPointer(lost.path), lost.value === undefined ? null : lost.value);
  }
  return { kind: 'apply', nextState, patch: compare(headState, nextState) as PatchOperation[], submitted: edited.submitted, overwritten };
}
