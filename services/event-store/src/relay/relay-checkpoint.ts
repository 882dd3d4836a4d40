import type { Kysely } from 'kysely';
import type { EventStoreDb } from '../tables/event-store.db';
import type { RelayCursor } from './relay';

export async function readCheckpoint(db: Kysely<EventStoreDb>, stream: string): Promise<RelayCursor | null> {
  const row = await db.selectFrom('relay_checkpoint').select(['position', 'stream_seq']).where('stream', '=', stream).executeTakeFirst();
  return row ? { position: Number(row.position), seq: Number(row.stream_seq) } : null;
}

export async function saveCheckpoint(db: Kysely<EventStoreDb>, stream: string, cursor: RelayCursor): Promise<void> {
  await db
    .insertInto('relay_checkpoint')
    .values({ stream, position: cursor.position, stream_seq: cursor.seq })
    .onConflict((oc) =>
      oc.column('stream').doUpdateSet({ position: cursor.position, stream_seq: cursor.seq, updated_at: new Date() }),
    )
    .execute();
}
