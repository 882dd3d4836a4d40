import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { TakesError, type ErrorDetail } from '@takes/contracts';
import {
  hashOneTimeToken,
  inviteStatus,
  isEmailAddress,
  newOneTimeToken,
  parseBulkInviteInput,
  parseInviteInput,
  passwordProblems,
  type InviteInput,
} from '@takes/auth';
import { isUniqueViolation } from '@takes/db';
import { interpolate } from '@takes/email';
import { uuidv7 } from '@takes/ids';
import { AppsService } from '../apps/apps.service';
import { createUser, findUserByEmail } from '../apps/users.repository';
import { AuthService } from '../auth/auth.service';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { EmailSender } from '../email/email-sender';
import { queueEmail } from '../email/email.repository';
import type { Principal } from '../http/request-context';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';
import { closeExpiredInvites, findInvite, inviteView, listInvites, lockInviteByToken, type InviteRow } from './invites.repository';

const userExists = () => new TakesError('CONFLICT', 'a user with this email already exists');
const pendingExists = () => new TakesError('CONFLICT', 'a pending invite already exists for this email');
const invalidToken = () => new TakesError('NOT_FOUND', 'invalid invite token');

interface Created {
  row: InviteRow;
  /** The token, for the admin to pass on, when no provider mails it. */
  token: string | null;
  emailLogId: string | null;
}

function parseAccept(body: unknown): { token: string; password: string } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TakesError('INVALID_PAYLOAD', 'body must be a JSON object');
  const input = body as Record<string, unknown>;
  const details: ErrorDetail[] = [];
  // The invite decides email and roles; a body that tries to set them is refused.
  for (const key of Object.keys(input)) if (!['token', 'password'].includes(key)) details.push({ field: key, rule: 'unknown', message: `unknown field ${key}` });
  if (typeof input.token !== 'string' || !input.token) details.push({ field: 'token', rule: 'required', message: 'token is required' });
  details.push(...passwordProblems(input.password));
  if (details.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid invite acceptance', details);
  return { token: input.token as string, password: input.password as string };
}

/**
 * Invites (Rocket's `/_admin/invites` and `/auth/accept-invite`): an admin invites an
 * address with roles; the token goes out by mail in the same transaction (through the
 * delivery log) or, when the app has no email provider, back to the admin to pass on.
 * Accepting creates the user with the invite's roles and logs them in.
 */
@Injectable()
export class InvitesService {
  constructor(
    @Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly apps: AppsService,
    private readonly auth: AuthService,
    private readonly sender: EmailSender,
  ) {}

  async create(app: string, body: unknown, by: Principal) {
    const created = await this.createOne(app, parseInviteInput(body), by, await this.appName(app));
    this.sender.kick();
    return { ...inviteView(created.row), ...(created.token ? { token: created.token } : {}), email_log_id: created.emailLogId };
  }

  /** Rocket's bulk answer: each address is invited or skipped with its reason; one bad address does not stop the rest. */
  async bulk(app: string, body: unknown, by: Principal) {
    const { emails, roles, attributes } = parseBulkInviteInput(body);
    const appName = await this.appName(app);
    const created = [];
    const skipped = [];
    for (const email of emails) {
      if (!isEmailAddress(email)) {
        skipped.push({ email, reason: 'not an email address' });
        continue;
      }
      try {
        const one = await this.createOne(app, { email, roles, attributes }, by, appName);
        created.push({ id: one.row.id, email, expires_at: one.row.expires_at.toISOString(), ...(one.token ? { token: one.token } : {}), email_log_id: one.emailLogId });
      } catch (error) {
        if (!(error instanceof TakesError && error.code === 'CONFLICT')) throw error;
        skipped.push({ email, reason: error.message });
      }
    }
    if (created.length > 0) this.sender.kick();
    return { created, skipped, summary: { total: emails.length, created: created.length, skipped: skipped.length } };
  }

  async list(app: string) {
    const now = new Date();
    return (await listInvites(this.db, app)).map((row) => inviteView(row, now));
  }

  /** Revoked invites cannot be accepted; revoking twice answers the same; an accepted one is a conflict. */
  async revoke(app: string, id: string): Promise<void> {
    const row = await findInvite(this.db, app, id);
    if (!row) throw new TakesError('NOT_FOUND', `invite ${id} not found`);
    if (row.status === 'accepted') throw new TakesError('CONFLICT', 'the invite was already accepted; deactivate the user instead');
    await this.db.updateTable('invites').set({ status: 'revoked', revoked_at: new Date() }).where('id', '=', id).where('status', 'in', ['pending', 'expired']).execute();
  }

  async accept(app: string, body: unknown) {
    const { token, password } = parseAccept(body);
    const appName = await this.appName(app);
    const session = await this.db.transaction().execute(async (trx) => {
      const invite = await lockInviteByToken(trx, hashOneTimeToken(token));
      if (!invite || invite.app !== app) throw invalidToken();
      const status = inviteStatus(invite);
      if (status === 'revoked') throw invalidToken();
      if (status === 'accepted') throw new TakesError('VALIDATION_FAILED', 'invite has already been accepted');
      if (status === 'expired') throw new TakesError('VALIDATION_FAILED', 'invite has expired');
      const user = await createUser(trx, app, { email: invite.email, password, roles: invite.roles, attributes: invite.attributes ?? {} });
      await trx.updateTable('invites').set({ status: 'accepted', accepted_at: new Date(), user_id: user.id }).where('id', '=', invite.id).execute();
      const pair = await this.auth.startSession(user, app, trx);
      await queueEmail(trx, app, { template_key: 'welcome', to_email: user.email, variables: { email: user.email, roles: user.roles.join(', '), app_name: appName } });
      return { ...pair, user: { id: user.id, email: user.email, roles: user.roles, attributes: user.attributes } };
    });
    this.sender.kick();
    return session;
  }

  private async createOne(app: string, input: InviteInput, by: Principal, appName: string): Promise<Created> {
    if (await findUserByEmail(this.db, app, input.email)) throw userExists();
    const { token, hash } = newOneTimeToken();
    const expiresAt = new Date(Date.now() + this.config.invites.ttlMs);
    try {
      return await this.db.transaction().execute(async (trx) => {
        await closeExpiredInvites(trx, app, input.email);
        const row = await trx
          .insertInto('invites')
          .values({ id: uuidv7(), app, email: input.email, roles: input.roles, attributes: JSON.stringify(input.attributes), token_hash: hash, expires_at: expiresAt, invited_by: by.userId, user_id: null, accepted_at: null, revoked_at: null })
          .returningAll()
          .executeTakeFirstOrThrow();
        const emailLogId = await queueEmail(trx, app, {
          template_key: 'invite',
          to_email: input.email,
          variables: {
            email: input.email,
            token,
            accept_url: interpolate(this.config.invites.acceptUrl, { token, app }, 'text'),
            roles: input.roles.join(', '),
            expires_at: expiresAt.toISOString(),
            invited_by: by.email ?? '',
            app_name: appName,
          },
        });
        return { row, token: emailLogId ? null : token, emailLogId };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw pendingExists();
      throw error;
    }
  }

  private async appName(app: string): Promise<string> {
    return (await this.apps.get(app).catch(() => undefined))?.display_name ?? app;
  }
}
