import type { CallOptions } from './event-store.port';
import { APP_NAME, ENTITY_NAME } from './subjects';

/**
 * The projector's request/reply messages for rebuilds, spoken by the projector, the
 * gateway's admin route and the CLI. Subjects (`Subjects.rebuild`, `Subjects.rebuildStatus`)
 * get the deployment's prefix in front (`<prefix>projector.rebuild`); replies are
 * `{data}` or `{error}`.
 */

/** `projector.rebuild`: rebuild the read tables of an app (or of one entity of it). */
export interface RebuildRequest {
  v?: 1;
  app: string;
  /** One entity; all the app's entities when absent. */
  entity?: string;
}

/** `projector.rebuild.status`: the state of an app's latest rebuild. */
export interface RebuildStatusRequest {
  v?: 1;
  app: string;
}

export type RebuildState = 'running' | 'done' | 'failed';

/** Where a rebuild is. Positions are the event store's global positions. */
export interface RebuildStatus {
  v: 1;
  id: string;
  app: string;
  /** The entities being rebuilt. */
  entities: string[];
  state: RebuildState;
  /** `copying` (reading the store into the new tables), `indexing` (building their indexes), `swapping` (the live projector paused), `finished`. */
  phase: 'copying' | 'indexing' | 'swapping' | 'finished';
  /** The position the new tables have reached. */
  position: number;
  /** The event store's last position (as published to JetStream) or the live watermark, whichever is higher. */
  last_position: number;
  /** Events of the app read from the store so far. */
  events: number;
  /** Rows written into the new tables so far (a row written in two chunks counts twice). */
  rows_written: number;
  /** Over the last few seconds while running; the average over the whole rebuild once finished. */
  events_per_second: number;
  /** Seconds left at the current pace; null while unknown; 0 once finished. */
  eta_seconds: number | null;
  started_at: string;
  finished_at: string | null;
  error?: string;
  /** Set on a `projector.rebuild` reply when a rebuild of the app was already running (its status is returned). */
  already_running?: boolean;
}

export const rebuildRequestSchema = {
  $id: 'takes.projector.rebuild.v1',
  type: 'object',
  required: ['app'],
  properties: {
    v: { const: 1 },
    app: { type: 'string', pattern: APP_NAME.source },
    entity: { type: 'string', pattern: ENTITY_NAME.source, not: { const: '_meta' } },
  },
  additionalProperties: false,
} as const;

export const rebuildStatusRequestSchema = {
  $id: 'takes.projector.rebuild.status.v1',
  type: 'object',
  required: ['app'],
  properties: {
    v: { const: 1 },
    app: { type: 'string', pattern: APP_NAME.source },
  },
  additionalProperties: false,
} as const;

/** Injection token of the `ProjectorRebuilds` port. */
export const PROJECTOR_REBUILDS = Symbol('PROJECTOR_REBUILDS');

/**
 * The projector's rebuilds, as the gateway and the CLI see them. Each call resolves
 * with the rebuild's status or rejects with a TakesError carrying the projector's code
 * (UNKNOWN_ENTITY, NOT_FOUND); UNAVAILABLE when no projector answers in time.
 */
export interface ProjectorRebuilds {
  /** Starts a rebuild of the app's read tables (or of one entity's), or returns the one running (`already_running`). */
  start(request: RebuildRequest, options?: CallOptions): Promise<RebuildStatus>;
  /** The app's running or latest rebuild; NOT_FOUND when the answering projector has run none. */
  status(request: RebuildStatusRequest, options?: CallOptions): Promise<RebuildStatus>;
}
