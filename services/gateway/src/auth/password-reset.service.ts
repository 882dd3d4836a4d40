import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { TakesError, type ErrorDetail } from '@takes/contracts';
import { hashOneTimeToken, hashPassword, isEmailAddress, judgeOneTimeToken, newOneTimeToken, normalizeEmail, passwordProblems, PLATFORM_AUDIENCE } from '@takes/auth';
import { interpolate } from '@takes/email';
import { AppsService } from '../apps/apps.service';
import { findUser, findUserByEmail } from '../apps/users.repository';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { EmailSender } from '../email/email-sender';
import { queueEmail } from '../email/email.repository';
import { RateLimiter } from '../ops/rate-limiter';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';

function objectBody(body: unknown, allowed: string[]): { input: Record<string, unknown>; details: ErrorDetail[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TakesError('INVALID_PAYLOAD', 'body must be a JSON object');
  const input = body as Record<string, unknown>;
  const details: ErrorDetail[] = Object.keys(input)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ field: key, rule: 'unknown', message: `unknown field ${key}` }));
  return { input, details };
}

const invalidToken = () => new TakesError('UNAUTHORIZED', 'invalid or expired reset token');

/**
 * Forgot and reset password, for an app's users and for platform users (audience
 * `_platform`). Forgot-password answers the same whether or not the address is a user;
 * the token goes out only by mail, through the delivery log, written in the transaction
 * that stores its hash. Without an email provider nothing is sent and no token is made:
 * an admin then sets a new password through /_admin/users.
 */
@Injectable()
export class PasswordResetService {
  private readonly perEmail: RateLimiter;
  private readonly perIp: RateLimiter;

  constructor(
    @Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly apps: AppsService,
    private readonly sender: EmailSender,
  ) {
    this.perEmail = new RateLimiter(config.resets.perEmailPerHour / 3600, config.resets.perEmailPerHour);
    this.perIp = new RateLimiter(config.resets.perIpPerHour / 3600, config.resets.perIpPerHour);
  }

  async forgot(audience: string, body: unknown, ip: string): Promise<void> {
    const { input, details } = objectBody(body, ['email']);
    const email = typeof input.email === 'string' ? normalizeEmail(input.email) : '';
    if (!isEmailAddress(email)) details.push({ field: 'email', rule: 'format', message: 'email must be an address' });
    if (details.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid request', details);
    if (!this.perIp.take(`${audience}|${ip}`)) throw new TakesError('RATE_LIMITED', 'too many password reset requests, try again later');
    // Beyond the limit for one address the answer stays the same; nothing more is sent.
    if (!this.perEmail.take(`${audience}|${email}`)) return;
    const user = await findUserByEmail(this.db, audience, email);
    const { token, hash } = newOneTimeToken();
    if (!user || !user.active) return;
    const expiresAt = new Date(Date.now() + this.config.resets.ttlMs);
    const appName = audience === PLATFORM_AUDIENCE ? 'Takes' : ((await this.apps.get(audience).catch(() => undefined))?.display_name ?? audience);
    const queued = await this.db.transaction().execute(async (trx) => {
      const logId = await queueEmail(trx, audience, {
        template_key: 'password_reset',
        to_email: user.email,
        variables: { email: user.email, token, reset_url: interpolate(this.config.resets.resetUrl, { token, app: audience }, 'text'), expires_at: expiresAt.toISOString(), app_name: appName },
      });
      if (!logId) return false;
      // A new token replaces the ones asked for before.
      await trx.updateTable('password_resets').set({ used_at: new Date() }).where('user_id', '=', user.id).where('used_at', 'is', null).execute();
      await trx.insertInto('password_resets').values({ token_hash: hash, app: audience, user_id: user.id, expires_at: expiresAt, used_at: null }).execute();
      return true;
    });
    if (queued) this.sender.kick();
  }

  /** Sets the new password, spends the token (and any other of the user's), and ends every session of the user. */
  async reset(audience: string, body: unknown): Promise<void> {
    const { input, details } = objectBody(body, ['token', 'password']);
    if (typeof input.token !== 'string' || !input.token) details.push({ field: 'token', rule: 'required', message: 'token is required' });
    details.push(...passwordProblems(input.password));
    if (details.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid password reset', details);
    const passwordHash = await hashPassword(input.password as string);
    await this.db.transaction().execute(async (trx) => {
      const stored = await trx.selectFrom('password_resets').selectAll().where('token_hash', '=', hashOneTimeToken(input.token as string)).forUpdate().executeTakeFirst();
      if (!stored || stored.app !== audience || judgeOneTimeToken(stored) !== 'valid') throw invalidToken();
      const user = await findUser(trx, audience, stored.user_id);
      if (!user) throw invalidToken();
      const now = new Date();
      await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: now }).where('id', '=', user.id).execute();
      await trx.updateTable('password_resets').set({ used_at: now }).where('user_id', '=', user.id).where('used_at', 'is', null).execute();
      await trx.updateTable('refresh_tokens').set({ revoked_at: now }).where('user_id', '=', user.id).where('revoked_at', 'is', null).execute();
    });
  }
}
