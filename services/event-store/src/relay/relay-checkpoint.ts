import { sql, type Kysely } from 'kysely';
import type { EventStoreDb } from '../tables/event-store.db';
import type { RelayCursor } from './relay';

export async function readCheckpoint(db: Kysely<EventStoreDb>, stream: string): Promise<RelayCursor | null> {
  const row = await db.selectFrom('relay_checkpoint').select(['position', 'stream_seq']).where('stream', '=', stream).executeTakeFirst();
  return row ? { position: Number(row.position), seq: Number(row.stream_seq) } : null;
}

/**
 * Saves the relay's cursor. Written without waiting for the WAL flush: the stream's
 * last message is the authority on restart, so a lost checkpoint costs nothing.
 */
export async function saveCheckpoint(db: Kysely<EventStoreDb>, stream: string, cursor: RelayCursor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL synchronous_commit = off`.execute(trx);
    await trx
    .insertInto('relay_checkpoint')
    .values({ stream, position: cursor.position, stream_seq: cursor.seq })
    .onConflict((oc) =>
      oc.column('stream').doUpdateSet({ position: cursor.position, stream_seq: cursor.seq, updated_at: new Date() }),
      )
      .execute();
  });
}
