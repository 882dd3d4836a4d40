import type { TakesEvent } from '@takes/contracts';
import { applyOperations } from '@takes/decide';

/** A read-table row as the projector holds it while it applies a batch of events. */
export interface ProjectedRow {
  id: string;
  state: Record<string, unknown>;
  version: number;
  deleted: boolean;
  updatedAt: string;
  position: number;
  applied: number;
}

type Event = Pick<TakesEvent, 'entity_id' | 'version' | 'patch' | 'commit_ts' | 'position'>;

function advanced(row: ProjectedRow, event: Event, state: Record<string, unknown>, deleted: boolean): ProjectedRow {
  return { ...row, state, deleted, version: event.version, updatedAt: event.commit_ts, position: event.position, applied: row.applied + 1 };
}

/** `created`: a new row from the event's patch. */
export function createdRow(event: Event): ProjectedRow {
  return {
    id: event.entity_id,
    state: applyOperations({}, event.patch),
    version: event.version,
    deleted: false,
    updatedAt: event.commit_ts,
    position: event.position,
    applied: 1,
  };
}

/** `updated`, `merged`, `resolved`, `lost_update`: the event's patch applied to the row. */
export function patchedRow(row: ProjectedRow, event: Event): ProjectedRow {
  return advanced(row, event, applyOperations(row.state, event.patch), row.deleted);
}

/** `deleted`: a tombstone; the state is kept (a restore brings it back). */
export function deletedRow(row: ProjectedRow, event: Event): ProjectedRow {
  return advanced(row, event, applyOperations(row.state, event.patch), true);
}

/** `restored`: visible again. */
export function restoredRow(row: ProjectedRow, event: Event): ProjectedRow {
  return advanced(row, event, applyOperations(row.state, event.patch), false);
}

/** `shelved` and types this build does not know: only the version moves on. */
export function versionOnly(row: ProjectedRow, event: Event): ProjectedRow {
  return advanced(row, event, row.state, row.deleted);
}

/**
 * Where an event stands against a row: `apply` it (the next version), `skip` it (already
 * applied: a redelivery), or `gap` (versions in between are missing and must be read
 * from the event store first).
 */
export function eventStanding(row: ProjectedRow | undefined, version: number): 'apply' | 'skip' | 'gap' {
  const current = row?.version ?? 0;
  if (version <= current) return 'skip';
  return version === current + 1 ? 'apply' : 'gap';
}

/**
 * The records whose rows must be read before a batch of their events is applied: those
 * whose first event in the batch is not their stream's first. A record whose version 1
 * is in the batch is built from its events alone (its row, if an earlier delivery wrote
 * one, is overwritten only by a higher version), so a batch of new records reads nothing.
 */
export function rowsToLoad(events: readonly Pick<TakesEvent, 'entity_id' | 'version'>[]): string[] {
  const first = new Map<string, number>();
  for (const event of events) {
    const seen = first.get(event.entity_id);
    if (seen === undefined || event.version < seen) first.set(event.entity_id, event.version);
  }
  return [...first].filter(([, version]) => version > 1).map(([id]) => id);
}
