import type { Kysely } from 'kysely';
import type { RecordStateView } from '@takes/contracts';
import { replay } from '@takes/decide';
import type { EventStoreDb } from '../tables/event-store.db';
import { loadEventsUpTo, loadSnapshot } from './event-rows';

/**
 * A record as it was at a version, or at a time (its last commit at or before it), or
 * now: from the nearest snapshot, replaying only the events after it. Undefined when
 * the record has no such version.
 */
export async function recordStateAt(
  db: Kysely<EventStoreDb>,
  record: { app: string; entity: string; entity_id: string },
  until: { version?: number; time?: string },
): Promise<RecordStateView | undefined> {
  const snapshot = await loadSnapshot(db, record, until);
  const events = await loadEventsUpTo(db, record, until, snapshot?.version ?? 0);
  const state = replay(events, snapshot ? { version: snapshot.version, state: snapshot.state, deleted: snapshot.deleted } : undefined);
  const commitTs = events.length > 0 ? events[events.length - 1].commit_ts : snapshot?.commit_ts;
  if (!commitTs || (until.version !== undefined && state.version !== until.version)) return undefined;
  return { version: state.version, deleted: state.deleted, state: state.state, commit_ts: commitTs };
}
