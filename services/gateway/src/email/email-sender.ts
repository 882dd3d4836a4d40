import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { afterFailedAttempt, renderEmail, resolveEnvRefs, type SmtpConfig } from '@takes/email';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB, LOGGER } from '../tokens';
import { activeProviders, resolveTemplate, type EmailLogRow } from './email.repository';
import { sendSmtp } from './smtp-transport';

const BATCH = 10;

/**
 * Works through the delivery log: mail that is due is claimed (for a lease, so another
 * gateway replica does not send it too, and a crash mid-send only delays it), rendered,
 * and tried with each active provider by priority until one takes it. When all fail, the
 * attempt is counted and the next one scheduled with backoff, until the last attempt.
 * Requests never wait for any of this: they write the log row and call `kick()`.
 */
@Injectable()
export class EmailSender implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    @Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Mail was queued: look now rather than at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), ms);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const claimed = await this.claimDue();
          await Promise.all(claimed.map((row) => this.deliver(row)));
          if (claimed.length === BATCH) this.again = true;
        } catch (error) {
          this.logger.warn({ err: error }, 'email sender: could not read the delivery log');
        }
      } while (this.again && !this.stopped);
    })();
    await this.running;
    this.running = undefined;
    this.schedule(this.config.email.pollMs);
  }

  /** Takes due rows for a lease long enough for every provider to time out at each step. */
  private claimDue(): Promise<EmailLogRow[]> {
    const leaseMs = this.config.email.sendTimeoutMs * 4 + 10_000;
    return this.db
      .updateTable('email_logs')
      .set({ next_attempt_at: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`, updated_at: new Date() })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('email_logs')
          .select('id')
          .where('status', 'in', ['pending', 'retrying'])
          .where('next_attempt_at', '<=', sql<Date>`now()`)
          .orderBy('next_attempt_at')
          .limit(BATCH)
          .forUpdate()
          .skipLocked(),
      )
      .returningAll()
      .execute();
  }

  private async deliver(row: EmailLogRow): Promise<void> {
    const attempt = row.attempt + 1;
    const log = { app: row.app, emailId: row.id, template: row.template_key, attempt };
    try {
      const template = await resolveTemplate(this.db, row.app, row.template_key);
      if (!template) return await this.giveUp(row, attempt, `template ${row.template_key} is inactive or missing`);
      const mail = renderEmail(template, row.variables ?? {});
      const providers = await activeProviders(this.db, row.app);
      const errors: string[] = [];
      for (const provider of providers) {
        try {
          const config = resolveEnvRefs(provider.config as unknown as SmtpConfig, process.env, this.config.email.envAllow);
          const sent = await sendSmtp(config, row.to_email, mail, this.config.email.sendTimeoutMs);
          await this.db
            .updateTable('email_logs')
            .set({ status: 'delivered', attempt, subject: mail.subject, provider_id: provider.id, provider_response: JSON.stringify(sent), error: errors.join('; ') || null, variables: null, updated_at: new Date() })
            .where('id', '=', row.id)
            .execute();
          this.logger.info({ ...log, provider: provider.name }, 'email delivered');
          return;
        } catch (error) {
          errors.push(`${provider.name}: ${(error as Error).message}`);
        }
      }
      if (providers.length === 0) errors.push('no active email provider');
      const next = afterFailedAttempt(attempt, this.config.email.retry);
      if (next.status === 'failed') return await this.giveUp(row, attempt, errors.join('; '), mail.subject);
      await this.db
        .updateTable('email_logs')
        .set({ status: 'retrying', attempt, subject: mail.subject, error: errors.join('; '), next_attempt_at: next.nextAttemptAt, updated_at: new Date() })
        .where('id', '=', row.id)
        .execute();
      this.logger.warn({ ...log, error: errors.join('; '), nextAttemptAt: next.nextAttemptAt.toISOString() }, 'email not sent; will retry');
    } catch (error) {
      // The database failed under us: the lease runs out and the row is claimed again.
      this.logger.warn({ ...log, err: error }, 'email sender: could not record a delivery');
    }
  }

  private async giveUp(row: EmailLogRow, attempt: number, error: string, subject?: string): Promise<void> {
    await this.db
      .updateTable('email_logs')
      .set({ status: 'failed', attempt, error, variables: null, updated_at: new Date(), ...(subject ? { subject } : {}) })
      .where('id', '=', row.id)
      .execute();
    this.logger.warn({ app: row.app, emailId: row.id, template: row.template_key, attempt, error }, 'email given up');
  }
}
