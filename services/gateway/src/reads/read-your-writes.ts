import { Inject, Injectable } from '@nestjs/common';
import { sql, type Kysely } from 'kysely';
import { TakesError } from '@takes/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import type { GatewayDb } from '../tables/gateway.db';
import { GATEWAY_DB } from '../tokens';

export type ReadModel = 'records' | 'review_queue';

/**
 * Read-your-writes on a read model's watermark. Each write's position is remembered per
 * user (per gateway process); a read waits, up to a bound, until the read tables have
 * reached that position, or any position the client asks for (X-Takes-Min-Position,
 * `?min_position=`, e.g. another client's write). Past the bound: 503 with the lag.
 */
@Injectable()
export class ReadYourWrites {
  private readonly lastWrite = new Map<string, number>();
  /** The highest watermark seen per read model: watermarks only grow, so a read at or below it needs no query. */
  private readonly seen = new Map<ReadModel, number>();

  constructor(
    @Inject(GATEWAY_DB) private readonly db: Kysely<GatewayDb>,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  wrote(userId: string, position: number): void {
    if (position > (this.lastWrite.get(userId) ?? 0)) this.lastWrite.set(userId, position);
    if (this.lastWrite.size > 200_000) this.lastWrite.clear();
  }

  /** The position a read by this user must see: its own last write or the one asked for. */
  target(userId: string, asked: string | string[] | undefined): number {
    const value = Array.isArray(asked) ? asked[0] : asked;
    let wanted = 0;
    if (value !== undefined && value !== '') {
      if (!/^\d{1,15}$/.test(value)) throw new TakesError('INVALID_PAYLOAD', 'min_position must be a position (a whole number)');
      wanted = Number(value);
    }
    return Math.max(wanted, this.lastWrite.get(userId) ?? 0);
  }

  /** A read model's watermark: the projector's read tables, or the conflicts service's review queue. */
  async watermark(model: ReadModel = 'records'): Promise<number> {
    try {
      const { rows } =
        model === 'records'
          ? await sql<{ position: string }>`SELECT position FROM projector.watermarks WHERE read_model = 'records'`.execute(this.db)
          : await sql<{ position: string }>`SELECT position FROM conflicts.watermarks WHERE read_model = 'review_queue'`.execute(this.db);
      const position = Number(rows[0]?.position ?? 0);
      if (position > (this.seen.get(model) ?? 0)) this.seen.set(model, position);
      return position;
    } catch (error) {
      if ((error as { code?: string }).code === '42P01') return 0; // that service has not run yet
      throw error;
    }
  }

  /** Waits until the read tables have applied `position`; 503 UNAVAILABLE with the lag past the bound. */
  async waitFor(position: number, model: ReadModel = 'records'): Promise<void> {
    if (position <= 0 || position <= (this.seen.get(model) ?? 0)) return;
    const deadline = Date.now() + this.config.readWaitMs;
    let watermark = await this.watermark(model);
    while (watermark < position) {
      if (Date.now() >= deadline) {
        throw new TakesError('UNAVAILABLE', 'the read tables are behind your last write; retry shortly', {
          wanted_position: position,
          watermark,
          lag: position - watermark,
          waited_ms: this.config.readWaitMs,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      watermark = await this.watermark(model);
    }
  }
}
