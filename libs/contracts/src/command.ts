import { actorJsonSchema, patchOperationSchema, type Actor, type PatchOperation, type WebhookRequest } from './event';
import { APP_NAME, ENTITY_NAME } from './subjects';

export const COMMAND_SCHEMA_VERSION = 1;

/** What a client can do to one record. */
export const CommandOp = {
  create: 'create',
  put: 'put',
  patch: 'patch',
  delete: 'delete',
  restore: 'restore',
  /** A reviewer's pick: `data` is `{field: <JSON Pointer>, value}` (event `resolved`). */
  resolve: 'resolve',
  /** `_meta` only: set a metadata item's whole definition (event `defined`). */
  define: 'define',
  /** `_meta` only: remove a metadata item (event `removed`). */
  remove: 'remove',
  /**
   * A workflow's send_event or webhook action on an existing record, changing nothing:
   * `data` is a SignalData (event `signaled` or `webhook_requested`). Sent by services only.
   */
  signal: 'signal',
} as const;
export type CommandOp = (typeof CommandOp)[keyof typeof CommandOp];

/**
 * A write to one record, sent on `cmd.<app>.<entity>` by request/reply.
 * `command_id` is the client's Idempotency-Key (or one the gateway made); it is unique
 * per (app, user). `base_version` is the version the client edited (absent: the head).
 */
export interface AppendCommand {
  v: number;
  command_id: string;
  parent?: string | null;
  app: string;
  entity: string;
  entity_id: string;
  op: CommandOp;
  base_version?: number | null;
  /** create, put and define: the values sent. */
  data?: Record<string, unknown>;
  /** patch: the RFC 6902 document sent. */
  patch?: PatchOperation[];
  branch_ts?: string | null;
  submit_ts?: string | null;
  device?: string | null;
  user: Actor;
  /**
   * A nested write (create and put only): writes to other records that succeed or fail
   * with this one, in the same transaction. Each becomes events on its own stream, with
   * this command's id. The gateway plans them from the body's relation keys.
   */
  children?: ChildCommand[];
  /**
   * The fingerprint of the client's own request (route, body, write headers), when the
   * gateway made values the client did not send (generated keys, a nested write's plan):
   * the idempotency check compares it instead of the command, so a resent request gets
   * the first answer even though its generated values would differ.
   */
  request_hash?: string;
}

/** What a `signal` command asks for: a named event (send_event) or a call (webhook). */
export type SignalData = { event: string } | { webhook: WebhookRequest };

/** Operations a nested write may do to a related record. */
export const CHILD_OPS = ['create', 'put', 'delete', 'restore'] as const;
export type ChildOp = (typeof CHILD_OPS)[number];

/** One related record's write within a nested write; applied at the record's head. */
export interface ChildCommand {
  entity: string;
  entity_id: string;
  op: ChildOp;
  /** create and put: the values. */
  data?: Record<string, unknown>;
  /** Where the write came from in the client's body (e.g. `items[2].tax_lines[0]`), for error details. */
  path?: string;
}

/** The most related-record writes one nested write may carry. */
export const MAX_CHILDREN = 1000;

/** What the store answered for one related record of a nested write. */
export interface ChildResult {
  entity: string;
  entity_id: string;
  path?: string;
  outcome: AppendOutcome;
  version: number;
  deleted: boolean;
  record: Record<string, unknown>;
  events: { id: string; type: string; version: number; position: number }[];
}

/**
 * What became of an accepted write: `applied`; `merged` (a stale edit merged in);
 * `shelved` (kept, not applied); `unchanged` (it changed nothing: no event, the current
 * version); `overwritten` (history off, `stale_write: overwrite`: values changed since
 * its base were written over, a `lost_update` event; `overwritten` holds them).
 */
export type AppendOutcome = 'applied' | 'merged' | 'shelved' | 'unchanged' | 'overwritten';

/** What the store answers for an accepted command. */
export interface AppendResult {
  outcome: AppendOutcome;
  command_id: string;
  entity_id: string;
  version: number;
  position: number;
  deleted: boolean;
  record: Record<string, unknown>;
  contested: string[];
  events: { id: string; type: string; version: number; position: number }[];
  commit_ts: string;
  /** A nested write's related records, in the order of the command's children. `position` is then the last of all. */
  related?: ChildResult[];
  /** outcome `overwritten`: the values the write destroyed, by JSON Pointer (the `lost_update` event's). */
  overwritten?: Record<string, unknown>;
}

export const appendCommandSchema = {
  $id: 'takes.command.append.v1',
  type: 'object',
  required: ['v', 'command_id', 'app', 'entity', 'entity_id', 'op', 'user'],
  properties: {
    v: { type: 'integer', minimum: 1 },
    command_id: { type: 'string', minLength: 1, maxLength: 200 },
    parent: { type: ['string', 'null'], maxLength: 200 },
    app: { type: 'string', pattern: APP_NAME.source },
    entity: { type: 'string', pattern: ENTITY_NAME.source },
    entity_id: { type: 'string', minLength: 1, maxLength: 200 },
    op: { type: 'string', enum: Object.values(CommandOp) },
    base_version: { type: ['integer', 'null'], minimum: 0 },
    data: { type: 'object' },
    patch: { type: 'array', items: patchOperationSchema },
    branch_ts: { type: ['string', 'null'], format: 'date-time' },
    submit_ts: { type: ['string', 'null'], format: 'date-time' },
    device: { type: ['string', 'null'], maxLength: 200 },
    user: actorJsonSchema,
    request_hash: { type: 'string', minLength: 1, maxLength: 128 },
    children: {
      type: 'array',
      maxItems: MAX_CHILDREN,
      items: {
        type: 'object',
        required: ['entity', 'entity_id', 'op'],
        properties: {
          entity: { type: 'string', pattern: ENTITY_NAME.source },
          entity_id: { type: 'string', minLength: 1, maxLength: 200 },
          op: { type: 'string', enum: CHILD_OPS },
          data: { type: 'object' },
          path: { type: 'string', maxLength: 500 },
        },
        additionalProperties: false,
        if: { properties: { op: { enum: ['create', 'put'] } } },
        then: { required: ['data'] },
      },
    },
  },
  additionalProperties: false,
  allOf: [
    { if: { required: ['children'] }, then: { properties: { op: { enum: ['create', 'put'] } } } },
    { if: { properties: { op: { enum: ['create', 'put', 'define'] } } }, then: { required: ['data'] } },
    {
      if: { properties: { op: { const: 'resolve' } } },
      then: { required: ['data'], properties: { data: { type: 'object', required: ['field', 'value'], properties: { field: { type: 'string', pattern: '^/' } } } } },
    },
    { if: { properties: { op: { const: 'patch' } } }, then: { required: ['patch'] } },
    {
      if: { properties: { op: { const: 'signal' } } },
      then: {
        required: ['data'],
        properties: {
          data: {
            oneOf: [
              { type: 'object', required: ['event'], properties: { event: { type: 'string', minLength: 1, maxLength: 200 } }, additionalProperties: false },
              {
                type: 'object',
                required: ['webhook'],
                additionalProperties: false,
                properties: {
                  webhook: {
                    type: 'object',
                    required: ['url', 'method', 'source'],
                    properties: {
                      url: { type: 'string', minLength: 1, maxLength: 2048 },
                      method: { type: 'string', enum: ['POST', 'PUT', 'PATCH'] },
                      source: { type: 'string', pattern: '^(workflow|state_machine):', maxLength: 300 },
                      workflow: { type: 'object', required: ['instance', 'step'], properties: { instance: { type: 'string' }, step: { type: 'string' } }, additionalProperties: false },
                    },
                    additionalProperties: false,
                  },
                },
              },
            ],
          },
        },
      },
    },
  ],
} as const;

export const exampleAppendCommand: AppendCommand = {
  v: 1,
  command_id: 'c6f1b0c4-2d3e-4f5a-8b9c-0d1e2f3a4b5c',
  parent: null,
  app: 'main',
  entity: 'inspection',
  entity_id: '019a9c1d-0000-7000-8000-000000000001',
  op: 'put',
  base_version: 3,
  data: { pressure: 41.5 },
  branch_ts: '2026-11-20T08:00:00.000Z',
  submit_ts: '2026-11-20T09:12:00.000Z',
  device: 'd:5f2c',
  user: { id: 'u-17', roles: ['inspector'] },
};
