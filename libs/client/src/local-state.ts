import { applyOperations, type PatchOperation } from '@takes/contracts';
import type { PendingEdit } from './pending-edit';

/** A record as this device holds it: the server's copy, and when it arrived. */
export interface ServerCopy {
  entity: string;
  id: string;
  version: number;
  state: Record<string, unknown>;
  deleted: boolean;
  /** When the device received this version (the branch time of edits made on it). */
  received_at: string;
}

/** What the user sees: the server's copy with the edits still pending on top. */
export interface LocalRecord {
  state: Record<string, unknown>;
  deleted: boolean;
}

/**
 * One pending edit applied to a local state, as the server would apply it to the
 * version it was made on: put and create set the fields they name, patch applies its
 * operations (an edit whose patch no longer applies is left to the server, which
 * merges or refuses it), delete and restore flip the record.
 */
export function applyEdit(record: LocalRecord, edit: PendingEdit): LocalRecord {
  switch (edit.op) {
    case 'create':
      return { state: { ...edit.data }, deleted: false };
    case 'put':
      return { state: { ...record.state, ...edit.data }, deleted: record.deleted };
    case 'patch':
      return { state: patched(record.state, edit.patch ?? []), deleted: record.deleted };
    case 'delete':
      return { state: record.state, deleted: true };
    case 'restore':
      return { state: record.state, deleted: false };
  }
}

function patched(state: Record<string, unknown>, ops: PatchOperation[]): Record<string, unknown> {
  try {
    return applyOperations(state, ops);
  } catch {
    return state;
  }
}

/**
 * Rebase (as Replicache does): the edits still pending, replayed in order on the latest
 * server copy. Called whenever the server copy moves, so local edits always sit on top
 * of what the server has.
 */
export function rebase(copy: ServerCopy | undefined, pending: PendingEdit[]): LocalRecord | undefined {
  let record: LocalRecord | undefined = copy ? { state: copy.state, deleted: copy.deleted } : undefined;
  for (const edit of pending) record = applyEdit(record ?? { state: {}, deleted: false }, edit);
  return record;
}
