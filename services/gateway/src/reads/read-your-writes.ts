import { Inject, Injectable } from '@nestjs/common';
import { EVENT_STORE, ReadModel, TakesError, WATERMARKS, isTakesError, type EventStore, type Watermarks } from '@takes/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

/** The shortest time one watermark request may wait for its answer (ms). */
const MIN_ASK_MS = 50;

/**
 * Read-your-writes on a read model's watermark. Each write's position is remembered per
 * user (per gateway process); a read waits, up to a bound, until the read model has
 * reached that position, or any position the client asks for (X-Takes-Min-Position,
 * `?min_position=`, e.g. another client's write). Past the bound: 503 with the lag.
 * Watermarks come from the service that owns the read model (`watermark.<read_model>`),
 * never from its tables.
 */
@Injectable()
export class ReadYourWrites {
  private readonly lastWrite = new Map<string, number>();
  /** The highest watermark seen per read model: watermarks only grow, so a read at or below it needs no request. */
  private readonly seen = new Map<ReadModel, number>();

  constructor(
    @Inject(WATERMARKS) private readonly watermarks: Watermarks,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
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

  /**
   * A read model's watermark, as its owner answers within `timeoutMs`. An owner that
   * does not answer (not started yet, or down) counts as the highest watermark seen
   * before, 0 at first: a read then waits until the bound and gets its 503.
   */
  async watermark(model: ReadModel, timeoutMs = this.config.storeTimeoutMs): Promise<number> {
    try {
      const position = await this.watermarks.position(model, { timeoutMs });
      if (position > (this.seen.get(model) ?? 0)) this.seen.set(model, position);
      return position;
    } catch (error) {
      if (isTakesError(error) && error.code === 'UNAVAILABLE') return this.seen.get(model) ?? 0;
      throw error;
    }
  }

  /** Waits until the read model has applied `position`; 503 UNAVAILABLE with the lag past the bound. */
  async waitFor(position: number, model: ReadModel = ReadModel.records): Promise<void> {
    if (position <= 0 || position <= (this.seen.get(model) ?? 0)) return;
    const deadline = Date.now() + this.config.readWaitMs;
    const ask = () => this.watermark(model, Math.min(this.config.storeTimeoutMs, Math.max(MIN_ASK_MS, deadline - Date.now())));
    let watermark = await ask();
    while (watermark < position) {
      if (Date.now() >= deadline) {
        // A position no write has reached yet (a client's min_position from elsewhere):
        // waiting cannot help, so it is the request that is wrong, not the service.
        const last = await this.store.lastPosition().catch(() => null);
        if (last !== null && position > last) {
          throw new TakesError('INVALID_PAYLOAD', `min_position ${position} is beyond the store's last position ${last}`, { wanted_position: position, last_position: last });
        }
        throw new TakesError('UNAVAILABLE', 'the read tables are behind your last write; retry shortly', {
          wanted_position: position,
          watermark,
          lag: position - watermark,
          waited_ms: this.config.readWaitMs,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      watermark = await ask();
    }
  }
}
