import type { ErrorBody } from './errors';
import type { AppendOutcome } from './command';

/**
 * `POST /api/:app/_sync` (HTTP): a device's offline edits, one result each, in order
 * (ARCHITECTURE.md, Writes). The shapes a client library sends and reads.
 */

export const SYNC_OPS = ['create', 'put', 'patch', 'delete', 'restore'] as const;
export type SyncOp = (typeof SYNC_OPS)[number];

/** One offline edit. `parent` is the command id of the device's previous edit of the chain. */
export interface SyncEdit {
  command_id: string;
  parent?: string;
  entity: string;
  /** The record's key; a create may leave it out for the server to make one. */
  id?: string;
  op: SyncOp;
  /** The version the edit was made on (If-Match); the head when absent. */
  base_version?: number;
  /** create and put: the values. */
  data?: unknown;
  /** patch: the RFC 6902 document. */
  patch?: unknown;
  branch_ts?: string;
  submit_ts?: string;
  device?: string;
}

/** The request body: at most the gateway's configured number of edits. */
export interface SyncRequest {
  edits: SyncEdit[];
}

/** What became of one edit; `rejected` carries the error in the error shape. */
export interface SyncResult {
  command_id: string | null;
  outcome: AppendOutcome | 'rejected';
  id?: string;
  version?: number;
  position?: number;
  contested?: string[];
  /** The record after the edit; null once deleted. */
  record?: Record<string, unknown> | null;
  error?: ErrorBody;
  /** outcome `overwritten`: the values written over, by JSON Pointer. */
  overwritten?: Record<string, unknown>;
}

/** The response body: one result per edit, in the order of the edits. */
export interface SyncResponse {
  data: SyncResult[];
}

/** JSON schema of one edit, checked by the gateway edit by edit (a malformed edit is one rejected result). */
export const syncEditSchema = {
  $id: 'takes.http.sync-edit.v1',
  type: 'object',
  required: ['command_id', 'entity', 'op'],
  properties: {
    command_id: { type: 'string', minLength: 1, maxLength: 200 },
    parent: { type: 'string', minLength: 1, maxLength: 200 },
    entity: { type: 'string', minLength: 1, maxLength: 63 },
    id: { type: ['string', 'integer'] },
    op: { enum: SYNC_OPS },
    base_version: { type: 'integer', minimum: 0 },
    data: {},
    patch: {},
    branch_ts: { type: 'string', format: 'date-time' },
    submit_ts: { type: 'string', format: 'date-time' },
    device: { type: 'string', maxLength: 200 },
  },
  additionalProperties: false,
  allOf: [{ if: { properties: { op: { not: { const: 'create' } } } }, then: { required: ['id'] } }],
} as const;
