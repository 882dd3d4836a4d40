import { evolve, initialState, type TakesEvent } from '@takes/contracts';

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

type Event = Pick<TakesEvent, 'type' | 'entity_id' | 'version' | 'patch' | 'commit_ts' | 'position'>;

/**
 * A record event applied to its row (none yet: the record's first event). What the
 * event does to the record's state and deleted flag is evolve's (EVENT_EFFECTS in
 * @takes/contracts: a tombstone keeps the state for a restore, `shelved` and types this
 * build does not know only move the version on); the row keeps its own bookkeeping:
 * the version, the last commit time and position, and how many events it applied.
 */
export function projectedRow(row: ProjectedRow | undefined, event: Event): ProjectedRow {
  const next = evolve(row ?? initialState(), event);
  return {
    id: row?.id ?? event.entity_id,
    state: next.state,
    version: next.version,
    deleted: next.deleted,
    updatedAt: event.commit_ts,
    position: event.position,
    applied: (row?.applied ?? 0) + 1,
  };
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
