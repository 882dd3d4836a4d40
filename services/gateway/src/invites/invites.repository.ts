import { sql, type Kysely, type Selectable } from 'kysely';
import { inviteStatus } from '@takes/auth';
import type { GatewayDb, InvitesTable } from '../tables/gateway.db';

export type InviteRow = Selectable<InvitesTable>;

/** An invite as the API shows it: never its token (only its hash is kept). */
export function inviteView(row: InviteRow, now = new Date()) {
  return {
    id: row.id,
    email: row.email,
    roles: row.roles,
    attributes: row.attributes ?? {},
    status: inviteStatus(row, now),
    expires_at: row.expires_at.toISOString(),
    invited_by: row.invited_by,
    accepted_at: row.accepted_at?.toISOString() ?? null,
    user_id: row.user_id,
    created_at: row.created_at.toISOString(),
  };
}

/** Closes pending invites of an address that are past their expiry, so a new one can be made. */
export async function closeExpiredInvites(db: Kysely<GatewayDb>, app: string, email: string): Promise<void> {
  await db
    .updateTable('invites')
    .set({ status: 'expired' })
    .where('app', '=', app)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('status', '=', 'pending')
    .where('expires_at', '<=', sql<Date>`now()`)
    .execute();
}

export function listInvites(db: Kysely<GatewayDb>, app: string): Promise<InviteRow[]> {
  return db.selectFrom('invites').selectAll().where('app', '=', app).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

export function findInvite(db: Kysely<GatewayDb>, app: string, id: string): Promise<InviteRow | undefined> {
  return db.selectFrom('invites').selectAll().where('app', '=', app).where('id', '=', id).executeTakeFirst();
}

/** The invite a token belongs to, locked for the accept that reads it. */
export function lockInviteByToken(db: Kysely<GatewayDb>, tokenHash: string): Promise<InviteRow | undefined> {
  return db.selectFrom('invites').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst();
}
