/**
 * The projector's request/reply messages for rebuilds. Subjects get the deployment's
 * prefix in front (`<prefix>projector.rebuild`); replies are `{data}` or `{error}`.
 * The gateway and the CLI speak the same shapes (they may not import a service, so
 * they declare them again; the home of this contract is libs/contracts).
 */

/** `projector.rebuild`: rebuild the read tables of an app (or of one entity of it). */
export const REBUILD_SUBJECT = 'projector.rebuild';
/** `projector.rebuild.status`: the state of an app's latest rebuild. */
export const REBUILD_STATUS_SUBJECT = 'projector.rebuild.status';

export interface RebuildRequest {
  v?: 1;
  app: string;
  /** One entity; all the app's entities when absent. */
  entity?: string;
}

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

const APP = '^[a-z][a-z0-9_-]{0,62}$';
const ENTITY = '^[a-z][a-z0-9_]{0,62}$';

export const rebuildRequestSchema = {
  $id: 'takes.projector.rebuild.v1',
  type: 'object',
  required: ['app'],
  properties: {
    v: { const: 1 },
    app: { type: 'string', pattern: APP },
    entity: { type: 'string', pattern: ENTITY },
  },
  additionalProperties: false,
} as const;

export const rebuildStatusRequestSchema = {
  $id: 'takes.projector.rebuild.status.v1',
  type: 'object',
  required: ['app'],
  properties: {
    v: { const: 1 },
    app: { type: 'string', pattern: APP },
  },
  additionalProperties: false,
} as const;
