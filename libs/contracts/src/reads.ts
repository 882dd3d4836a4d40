import type { TakesEvent } from './event';
import { APP_NAME, ENTITY_NAME } from './subjects';

/** `store.read.stream`: the events of one record from a version on, a page at a time. */
export interface ReadStreamRequest {
  app: string;
  entity: string;
  entity_id: string;
  from_version?: number;
  limit?: number;
}

/** `store.read.stream` reply: a page of one record's events in version order; `next_version` starts the next page (null: this was the last). */
export interface StreamPage {
  events: TakesEvent[];
  next_version: number | null;
}

/** `store.read.state`: a record as it was at a version, or at a time (latest commit ≤ time). */
export interface ReadStateRequest {
  app: string;
  entity: string;
  entity_id: string;
  version?: number;
  time?: string;
}

/** `store.read.all`: events after a global position (up to `until_position` when given), in position order, a page at a time. */
export interface ReadAllRequest {
  after_position?: number;
  until_position?: number;
  limit?: number;
  app?: string;
}

/** `store.read.all` reply: events in position order; `next_position` is the last one's position (the request's `after_position` when empty). */
export interface PositionPage {
  events: TakesEvent[];
  next_position: number;
}

/**
 * `store.read.meta`: every metadata item (`_meta` record) of one app, or of all apps;
 * only the keys that start with `key_prefix` (`workflow:`, say) when given, and only
 * those written after the position `changed_after` when given (a registry that has read
 * the items up to a position asks for what changed since).
 */
export interface ReadMetaRequest {
  app?: string;
  key_prefix?: string;
  changed_after?: number;
}

/** One metadata item: key `entity:<name>` or `relation:<name>`, its definition, removed or not. */
export interface MetaItemView {
  app: string;
  key: string;
  definition: Record<string, unknown>;
  removed: boolean;
  version: number;
  position: number;
  created_at: string;
  updated_at: string;
}

/**
 * `store.read.meta` reply, in position order, with the store's last committed position
 * as of the read: every item written at or before `position` is in the answer (or was
 * written at or before `changed_after`).
 */
export interface MetaItems {
  items: MetaItemView[];
  position: number;
}

/** `store.read.head`: the head of one record's stream. */
export interface ReadHeadRequest {
  app: string;
  entity: string;
  entity_id: string;
}

export interface StreamHeadView {
  app: string;
  entity: string;
  entity_id: string;
  version: number;
  deleted: boolean;
  state: Record<string, unknown>;
  last_commit_ts: string;
}

export interface RecordStateView {
  version: number;
  deleted: boolean;
  state: Record<string, unknown>;
  commit_ts: string;
}

const recordKey = {
  app: { type: 'string', pattern: APP_NAME.source },
  entity: { type: 'string', pattern: ENTITY_NAME.source },
  entity_id: { type: 'string', minLength: 1, maxLength: 200 },
} as const;

export const readStreamSchema = {
  $id: 'takes.read.stream.v1',
  type: 'object',
  required: ['app', 'entity', 'entity_id'],
  properties: {
    ...recordKey,
    from_version: { type: 'integer', minimum: 1 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
  },
  additionalProperties: false,
} as const;

export const readStateSchema = {
  $id: 'takes.read.state.v1',
  type: 'object',
  required: ['app', 'entity', 'entity_id'],
  properties: {
    ...recordKey,
    version: { type: 'integer', minimum: 1 },
    time: { type: 'string', format: 'date-time' },
  },
  additionalProperties: false,
} as const;

export const readAllSchema = {
  $id: 'takes.read.all.v1',
  type: 'object',
  properties: {
    after_position: { type: 'integer', minimum: 0 },
    until_position: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    app: { type: 'string', pattern: APP_NAME.source },
  },
  additionalProperties: false,
} as const;

export const readHeadSchema = {
  $id: 'takes.read.head.v1',
  type: 'object',
  required: ['app', 'entity', 'entity_id'],
  properties: recordKey,
  additionalProperties: false,
} as const;

export const readMetaSchema = {
  $id: 'takes.read.meta.v1',
  type: 'object',
  properties: {
    app: { type: 'string', pattern: APP_NAME.source },
    key_prefix: { type: 'string', minLength: 1, maxLength: 200 },
    changed_after: { type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
} as const;

/** `store.read.position`: the last committed global position (what a read must wait for to see every write made so far). */
export interface LastPosition {
  position: number;
}

export const readPositionSchema = {
  $id: 'takes.read.position.v1',
  type: 'object',
  properties: {},
  additionalProperties: false,
} as const;

/** `store.read.command`: whether a command id was appended (a resent request is answered from its first result). */
export interface ReadCommandRequest {
  app: string;
  user_id: string;
  command_id: string;
}

/** `store.read.command` reply. */
export interface CommandSeen {
  seen: boolean;
}

export const readCommandSchema = {
  $id: 'takes.read.command.v1',
  type: 'object',
  required: ['app', 'user_id', 'command_id'],
  properties: {
    app: { type: 'string', pattern: APP_NAME.source },
    user_id: { type: 'string', minLength: 1, maxLength: 200 },
    command_id: { type: 'string', minLength: 1, maxLength: 200 },
  },
  additionalProperties: false,
} as const;
