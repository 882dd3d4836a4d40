/**
 * The gateway's answers as the page reads them: the parts of @takes/merge's FieldHistory
 * and EventGraph and @takes/contracts' queue page and event that it uses. The page has
 * its own copy because those libs pull in Node-only code; api-shapes.conformance.ts
 * (checked by the root typecheck) proves the server's types still fit these.
 */

export interface Actor {
  id: string;
  roles: string[];
}

/** One take of a field (FieldTake). */
export interface FieldTake {
  value: unknown;
  removed: boolean;
  applied: boolean;
  current: boolean;
  contested: boolean;
  picked: boolean;
  event_id: string;
  type: string;
  version: number;
  user: Actor;
  device: string | null;
  branch_ts: string;
  submit_ts: string;
  commit_ts: string;
}

/** A field's history (GET …/:id/history, one per field). */
export interface FieldHistory {
  field: string;
  value: unknown;
  contested: boolean;
  takes: FieldTake[];
}

export interface GraphNode {
  id: string;
  version: number;
  type: string;
  device: string | null;
  user: string;
  branch_ts: string;
  submit_ts: string;
  commit_ts: string;
  contested: string[];
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: 'prior' | 'base';
}

/** GET …/:id/graph. */
export interface EventGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  lanes: (string | null)[];
}

export interface ReviewQueueItem {
  entity: string;
  id: string;
  fields: string[];
  version: number;
  contested_since: string;
  users: string[];
  devices: string[];
}

/** GET /api/:app/_conflicts. */
export interface ReviewQueuePage {
  data: ReviewQueueItem[];
  meta: { page: number; per_page: number; total: number; total_pages: number };
}

/** One event of GET …/:id/events. */
export interface RecordEvent {
  id: string;
  type: string;
  version: number;
  prior_version: number;
  base_version: number;
  submitted: Record<string, unknown>;
  contested: string[];
  user: Actor;
  device: string | null;
  branch_ts: string;
  submit_ts: string;
  commit_ts: string;
}
