import type { AppendResult } from './command';
import type { CallOptions } from './event-store.port';
import { actorJsonSchema, type Actor } from './event';
import { APP_NAME, ENTITY_NAME } from './subjects';

/**
 * The conflicts service's request/reply messages (`<prefix>conflicts.<what>`), asked by
 * the gateway's takes routes: a record's per-field takes and graph (computed from its
 * events, so exact at once), a reviewer's pick, and the review queue. Replies are
 * `{data}` or `{error}`; the service checks each request against its schema.
 */
export type ConflictsRequest = 'history' | 'graph' | 'resolve' | 'queue';

/** Which record. */
export interface RecordRef {
  v?: 1;
  app: string;
  entity: string;
  entity_id: string;
}

/** `conflicts.graph`: the record's branch/submit/commit graph, as JSON or drawn (`{svg}`). */
export interface GraphRequest extends RecordRef {
  format?: 'json' | 'svg';
}

/** `conflicts.resolve`: a reviewer picks an earlier take (`take`: its event id) or a value for a field. */
export interface ResolveRequest extends RecordRef {
  /** A field name or JSON Pointer. */
  field: string;
  take?: string;
  value?: unknown;
  base_version?: number | null;
  command_id?: string;
  user: Actor;
}

/** `conflicts.queue`: records with contested, unresolved fields, oldest first, a page at a time. */
export interface QueueRequest {
  v?: 1;
  app: string;
  entity?: string;
  /** Only records of these entities (the ones the caller may read). */
  entities?: string[];
  user?: string;
  device?: string;
  /** Only fields contested at least this many seconds ago. */
  min_age_seconds?: number;
  page?: number;
  per_page?: number;
}

/** One record of the review queue. */
export interface ReviewQueueItem {
  entity: string;
  id: string;
  /** The contested JSON Pointers. */
  fields: string[];
  version: number;
  contested_since: string;
  users: string[];
  devices: string[];
}

/** `conflicts.queue` reply: a list in the HTTP list shape, served as is by the gateway. */
export interface ReviewQueuePage {
  data: ReviewQueueItem[];
  meta: { page: number; per_page: number; total: number; total_pages: number };
}

/** `conflicts.history` reply: one entry per field (`FieldHistory` of @takes/merge, which computes it). */
export type FieldHistoryView = { field: string; value: unknown; contested: boolean; takes: Record<string, unknown>[] };

/** `conflicts.graph` reply: `EventGraph` of @takes/merge, or `{svg}` when drawn. */
export type EventGraphView = { nodes?: Record<string, unknown>[]; edges?: Record<string, unknown>[]; lanes?: (string | null)[]; svg?: string };

/** Injection token of the `Conflicts` port. */
export const CONFLICTS = Symbol('CONFLICTS');

/**
 * The conflicts service, as the gateway sees it. Each call resolves with the reply's
 * data or rejects with a TakesError carrying the service's code (NOT_FOUND for a record
 * with no events, VALIDATION_FAILED for a bad pick, the store's own codes for a pick the
 * store refuses); UNAVAILABLE when the service does not answer in time.
 */
export interface Conflicts {
  /** Each field's takes: every value it had or was offered, exact at once after a write. */
  history(request: RecordRef, options?: CallOptions): Promise<FieldHistoryView[]>;
  /** The record's branch/submit/commit graph. */
  graph(request: GraphRequest, options?: CallOptions): Promise<EventGraphView>;
  /** Appends a `resolved` event through the event store; the result is the store's. */
  resolve(request: ResolveRequest, options?: CallOptions): Promise<AppendResult>;
  /** A page of the review queue (as of the conflicts service's watermark `review_queue`). */
  queue(request: QueueRequest, options?: CallOptions): Promise<ReviewQueuePage>;
}

const version = { v: { const: 1 } } as const;

const recordRef = {
  ...version,
  app: { type: 'string', pattern: APP_NAME.source },
  entity: { type: 'string', pattern: ENTITY_NAME.source },
  entity_id: { type: 'string', minLength: 1, maxLength: 200 },
} as const;

export const historyRequestSchema = {
  $id: 'takes.conflicts.history.v1',
  type: 'object',
  required: ['app', 'entity', 'entity_id'],
  properties: recordRef,
  additionalProperties: false,
} as const;

export const graphRequestSchema = {
  $id: 'takes.conflicts.graph.v1',
  type: 'object',
  required: ['app', 'entity', 'entity_id'],
  properties: { ...recordRef, format: { enum: ['json', 'svg'] } },
  additionalProperties: false,
} as const;

export const resolveRequestSchema = {
  $id: 'takes.conflicts.resolve.v1',
  type: 'object',
  required: ['app', 'entity', 'entity_id', 'field', 'user'],
  properties: {
    ...recordRef,
    field: { type: 'string' },
    take: { type: 'string' },
    value: {},
    base_version: { type: ['integer', 'null'], minimum: 0 },
    command_id: { type: 'string', minLength: 1, maxLength: 200 },
    user: actorJsonSchema,
  },
  additionalProperties: false,
} as const;

export const queueRequestSchema = {
  $id: 'takes.conflicts.queue.v1',
  type: 'object',
  required: ['app'],
  properties: {
    ...version,
    app: { type: 'string', pattern: APP_NAME.source },
    // Any string: an entity, user or device nobody has is an empty page, not an error.
    entity: { type: 'string' },
    entities: { type: 'array', items: { type: 'string' }, maxItems: 10_000 },
    user: { type: 'string' },
    device: { type: 'string' },
    min_age_seconds: { type: 'integer', minimum: 0 },
    page: { type: 'integer', minimum: 0 },
    per_page: { type: 'integer', minimum: 0 },
  },
  additionalProperties: false,
} as const;

/** The request schema of each `conflicts.*` subject (for the service and the AsyncAPI document). */
export const conflictsRequestSchemas: Record<ConflictsRequest, object> = {
  history: historyRequestSchema,
  graph: graphRequestSchema,
  resolve: resolveRequestSchema,
  queue: queueRequestSchema,
};
