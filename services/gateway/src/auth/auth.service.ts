import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { TakesError } from '@takes/contracts';
import {
  REFRESH_TTL_SECONDS,
  hashRefreshToken,
  issueAccessToken,
  judgeRefresh,
  newRefreshToken,
  verifyPassword,
  type TokenKey,
} from '@takes/auth';
import { uuidv7 } from '@takes/ids';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB, TOKEN_KEY } from '../tokens';
import { findUser, findUserByEmail, type UserRow } from '../apps/users.repository';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
}

const refused = () => new TakesError('UNAUTHORIZED', 'invalid credentials');

/**
 * Login, refresh and logout for one audience: an app's name, or `_platform`.
 * Refresh tokens rotate on use; presenting a spent one revokes its whole family.
 */
@Injectable()
export class AuthService {
  constructor(
    @Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>,
    @Inject(TOKEN_KEY) private readonly key: TokenKey,
  ) {}

  async login(audience: string, body: unknown): Promise<TokenPair> {
    const { email, password } = (body ?? {}) as { email?: unknown; password?: unknown };
    if (typeof email !== 'string' || typeof password !== 'string' || !email || !password) throw refused();
    const user = await findUserByEmail(this.db, audience, email);
    // Verify even when there is no such user, so timing does not tell which emails exist.
    const ok = await verifyPassword(user?.password_hash ?? DUMMY_HASH, password);
    if (!user || !ok || !user.active) throw refused();
    return this.issue(user, audience, uuidv7());
  }

  async refresh(audience: string, body: unknown): Promise<TokenPair> {
    const token = (body as { refresh_token?: unknown } | null)?.refresh_token;
    if (typeof token !== 'string' || !token) throw new TakesError('UNAUTHORIZED', 'refresh_token is required');
    const hash = hashRefreshToken(token);
    const outcome = await this.db.transaction().execute(async (trx) => {
      const stored = await trx.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', hash).forUpdate().executeTakeFirst();
      const verdict = stored && stored.app === audience ? judgeRefresh(stored) : 'unknown';
      if (verdict === 'reuse') {
        // Committed before answering: the leak is contained even though the caller gets 401.
        await trx.updateTable('refresh_tokens').set({ revoked_at: new Date() }).where('family', '=', stored!.family).where('revoked_at', 'is', null).execute();
        return 'reuse' as const;
      }
      if (verdict !== 'rotate') return 'invalid' as const;
      const user = await findUser(trx, audience, stored!.user_id);
      if (!user || !user.active) return 'inactive' as const;
      await trx.updateTable('refresh_tokens').set({ revoked_at: new Date() }).where('token_hash', '=', hash).execute();
      return this.issue(user, audience, stored!.family, trx);
    });
    if (outcome === 'reuse') throw new TakesError('UNAUTHORIZED', 'refresh token was already used; its sessions are revoked');
    if (outcome === 'invalid') throw new TakesError('UNAUTHORIZED', 'invalid refresh token');
    if (outcome === 'inactive') throw new TakesError('UNAUTHORIZED', 'user is not active');
    return outcome;
  }

  async logout(audience: string, body: unknown): Promise<void> {
    const token = (body as { refresh_token?: unknown } | null)?.refresh_token;
    if (typeof token !== 'string' || !token) throw new TakesError('UNAUTHORIZED', 'refresh_token is required');
    const stored = await this.db.selectFrom('refresh_tokens').select(['family', 'app']).where('token_hash', '=', hashRefreshToken(token)).executeTakeFirst();
    // Logging out is idempotent, as in Rocket: a token that is unknown, already revoked or
    // of another audience leaves nothing to revoke here, and the answer is the same.
    if (!stored || stored.app !== audience) return;
    await this.db.updateTable('refresh_tokens').set({ revoked_at: new Date() }).where('family', '=', stored.family).where('revoked_at', 'is', null).execute();
  }

  /** A new session (token pair, new refresh family) for a user who just proved who they are another way (an invite). */
  startSession(user: UserRow, audience: string, db: Kysely<GatewayDb> = this.db): Promise<TokenPair> {
    return this.issue(user, audience, uuidv7(), db);
  }

  private async issue(user: UserRow, audience: string, family: string, db: Kysely<GatewayDb> = this.db): Promise<TokenPair> {
    const refresh = newRefreshToken();
    await db
      .insertInto('refresh_tokens')
      .values({
        token_hash: refresh.hash,
        family,
        user_id: user.id,
        app: audience,
        expires_at: new Date(Date.now() + REFRESH_TTL_SECONDS * 1000),
        revoked_at: null,
      })
      .execute();
    const access = await issueAccessToken(this.key, { sub: user.id, roles: user.roles, aud: audience, email: user.email, attributes: user.attributes });
    return { access_token: access, refresh_token: refresh.token };
  }
}

// An argon2id hash of a random string, verified against when the email is unknown.
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$6F7Nr36zArc9qWCkkv7plA$iFOi4IjDN4bYVUrCaJ6MkXKHJtURlG38NHU1iDTz+os';
