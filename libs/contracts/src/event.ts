import type { ErrorBody } from './errors';
/** The version of the event envelope. Readers accept every version up to theirs. */
export const EVENT_SCHEMA_VERSION = 1;

/** Every event type (ARCHITECTURE.md, Events). Readers ignore types they do not know. */
export const EventType = {
  created: 'created',
  updated: 'updated',
  merged: 'merged',
  shelved: 'shelved',
  lost_update: 'lost_update',
  deleted: 'deleted',
  restored: 'restored',
  resolved: 'resolved',
  signaled: 'signaled',
  webhook_requested: 'webhook_requested',
  defined: 'defined',
  removed: 'removed',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];
export const EVENT_TYPES = Object.values(EventType);

/** One RFC 6902 operation, as fast-json-patch makes it. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

/** Who made an edit: the user id and roles from the token. */
export interface Actor {
  id: string;
  roles: string[];
  /**
   * The user's attributes (set through `/_admin/users`, carried in the access token), which
   * permission conditions name as `$user.<attribute>`. Absent: none.
   */
  attributes?: Record<string, ActorAttribute>;
}

/** A user attribute's value: a string, number or boolean, or a list of them. */
export type ActorAttribute = string | number | boolean | (string | number | boolean)[];

/**
 * An event: the same fields in the events table and in the JetStream message body.
 * Timestamps are ISO 8601 strings in UTC; position is the store's global order.
 */
export interface TakesEvent {
  v: number;
  id: string;
  command_id: string;
  parent: string | null;
  app: string;
  entity: string;
  entity_id: string;
  type: EventType;
  version: number;
  prior_version: number;
  base_version: number;
  patch: PatchOperation[];
  submitted: Record<string, unknown>;
  contested: string[];
  branch_ts: string;
  submit_ts: string;
  commit_ts: string;
  position: number;
  user: Actor;
  device: string | null;
  /** lost_update only: the values the write destroyed, by JSON Pointer (history off, stale_write overwrite). */
  overwritten?: Record<string, unknown> | null;
  /**
   * shelved only: why the edit was kept but not applied, in the error shape (a rule's or a
   * state machine's refusal of the merged result, a unique value taken). Absent for the
   * losing chain of longest-chain.
   */
  reason?: ErrorBody | null;
  /**
   * signaled only: the name a state machine's send_event action gave (`invoice.paid`).
   * The event changes nothing; it follows the transition's event in the same commit.
   */
  signal?: string | null;
  /**
   * webhook_requested only: the call a state machine's or a workflow's `webhook` action
   * asked for. The event changes nothing; the webhooks service delivers it after commit.
   */
  webhook?: WebhookRequest | null;
}

/** A webhook action's call, as its `webhook_requested` event carries it. */
export interface WebhookRequest {
  /** An absolute http(s) URL, or a path the webhooks service resolves against its base URL. */
  url: string;
  method: string;
  /** Whose action it is, and whose secret signs it: `state_machine:<id>` or `workflow:<id>`. */
  source: string;
  /** A state machine's: the transition made, and the version the record had before it. */
  transition?: { field: string; from: string | null; to: string; before_version: number };
  /** A workflow's: the instance and step that asked. */
  workflow?: { instance: string; step: string };
}

const actorSchema = {
  type: 'object',
  required: ['id', 'roles'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 200 },
    roles: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
    attributes: {
      type: 'object',
      maxProperties: 50,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' },
      additionalProperties: {
        anyOf: [
          { type: ['string', 'number', 'boolean'], maxLength: 1000 },
          { type: 'array', maxItems: 1000, items: { type: ['string', 'number', 'boolean'], maxLength: 1000 } },
        ],
      },
    },
  },
  additionalProperties: false,
} as const;

export const patchOperationSchema = {
  type: 'object',
  required: ['op', 'path'],
  properties: {
    op: { type: 'string', enum: ['add', 'remove', 'replace', 'move', 'copy', 'test'] },
    path: { type: 'string' },
    value: {},
    from: { type: 'string' },
  },
} as const;

export const actorJsonSchema = actorSchema;

/** JSON schema of the event envelope, for downstream readers and contract tests. */
export const takesEventSchema = {
  $id: 'takes.event.v1',
  type: 'object',
  required: [
    'v', 'id', 'command_id', 'app', 'entity', 'entity_id', 'type', 'version', 'prior_version',
    'base_version', 'patch', 'submitted', 'contested', 'branch_ts', 'submit_ts', 'commit_ts',
    'position', 'user', 'device',
  ],
  properties: {
    v: { type: 'integer', minimum: 1 },
    id: { type: 'string', format: 'uuid' },
    command_id: { type: 'string', minLength: 1 },
    parent: { type: ['string', 'null'] },
    app: { type: 'string' },
    entity: { type: 'string' },
    entity_id: { type: 'string' },
    type: { type: 'string' },
    version: { type: 'integer', minimum: 1 },
    prior_version: { type: 'integer', minimum: 0 },
    base_version: { type: 'integer', minimum: 0 },
    patch: { type: 'array', items: patchOperationSchema },
    submitted: { type: 'object' },
    contested: { type: 'array', items: { type: 'string' } },
    branch_ts: { type: 'string', format: 'date-time' },
    submit_ts: { type: 'string', format: 'date-time' },
    commit_ts: { type: 'string', format: 'date-time' },
    position: { type: 'integer', minimum: 1 },
    user: actorSchema,
    device: { type: ['string', 'null'] },
    overwritten: { type: ['object', 'null'] },
    signal: { type: ['string', 'null'] },
    webhook: {
      type: ['object', 'null'],
      required: ['url', 'method', 'source'],
      properties: { url: { type: 'string' }, method: { type: 'string' }, source: { type: 'string' }, transition: { type: 'object' }, workflow: { type: 'object' } },
    },
    reason: {
      type: ['object', 'null'],
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'array', items: { type: 'object' } } },
    },
  },
} as const;

/** An example event, as it appears on `evt.main.inspection.updated`. */
export const exampleEvent: TakesEvent = {
  v: 1,
  id: '019a9c1e-7f00-7a3b-9c55-3f0b6f4e2a10',
  command_id: 'c6f1b0c4-2d3e-4f5a-8b9c-0d1e2f3a4b5c',
  parent: null,
  app: 'main',
  entity: 'inspection',
  entity_id: '019a9c1d-0000-7000-8000-000000000001',
  type: 'updated',
  version: 4,
  prior_version: 3,
  base_version: 3,
  patch: [{ op: 'replace', path: '/pressure', value: 41.5 }],
  submitted: { pressure: 41.5 },
  contested: [],
  branch_ts: '2026-11-20T08:00:00.000Z',
  submit_ts: '2026-11-20T09:12:00.000Z',
  commit_ts: '2026-11-20T09:12:00.105Z',
  position: 1042,
  user: { id: 'u-17', roles: ['inspector'] },
  device: 'd:5f2c',
};

