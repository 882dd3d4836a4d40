import type { PatchOperation, SyncEdit } from '@takes/contracts';

/** What a local edit does to its record. */
export type EditOp = SyncEdit['op'];

/**
 * One edit made on this device and not yet acknowledged by the server: what `_sync`
 * needs (command id, parent, base version, branch and submit times, the device) plus its
 * place in the outbox. It is written to storage before anything is sent.
 */
export interface PendingEdit {
  /** Order in the outbox: edits are sent in the order they were made. */
  seq: number;
  command_id: string;
  /** The command id of the edit this one follows on the same record (its chain). */
  parent?: string;
  entity: string;
  id: string;
  op: EditOp;
  /** The server version the chain was made on; absent on a record created on this device and not yet synced. */
  base_version?: number;
  data?: Record<string, unknown>;
  patch?: PatchOperation[];
  /** When this device took its copy of base_version. */
  branch_ts?: string;
  /** When the user made the edit. */
  submit_ts: string;
  device: string;
}

/** The `_sync` shape of a pending edit. */
export function toSyncEdit(edit: PendingEdit): SyncEdit {
  const out: SyncEdit = { command_id: edit.command_id, entity: edit.entity, id: edit.id, op: edit.op, submit_ts: edit.submit_ts, device: edit.device };
  if (edit.parent !== undefined) out.parent = edit.parent;
  if (edit.base_version !== undefined) out.base_version = edit.base_version;
  if (edit.branch_ts !== undefined) out.branch_ts = edit.branch_ts;
  if (edit.data !== undefined) out.data = edit.data;
  if (edit.patch !== undefined) out.patch = edit.patch;
  return out;
}
