/**
 * The gateway's answers as the page reads them: the parts of @takes/merge's FieldHistory
 * and EventGraph and of @takes/contracts' event that it uses (the queue page is
 * @takes/contracts' own). The page has its own copy of those because @takes/merge pulls
 * in Node-only code; api-shapes.conformance.ts (checked by the root typecheck) proves the
 * server's types still fit them.
 */

// The queue page and the actor are @takes/contracts' own (types only: nothing of it is bundled for them).
export type { Actor, ReviewQueueItem, ReviewQueuePage } from '@takes/contracts';
import type { Actor } from '@takes/contracts';

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
