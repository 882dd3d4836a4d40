import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { TakesError, subjects, type AppendCommand, type AppendResult, type StoreRead, type Subjects } from '@takes/contracts';
import { requestJson } from '@takes/bus';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { NATS_CONNECTION } from '../tokens';

/**
 * The event store, over NATS request/reply. A reply in the error shape is thrown as a
 * TakesError; no answer within the configured time is UNAVAILABLE (the client may
 * retry with the same Idempotency-Key).
 */
@Injectable()
export class StoreClient {
  readonly subjects: Subjects;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.subjects = subjects(config.subjectPrefix);
  }

  async append(command: AppendCommand, traceparent: string): Promise<AppendResult> {
    return this.unwrap(
      await requestJson<AppendResult>(this.nc, this.subjects.command(command.app, command.entity), command, {
        timeoutMs: this.config.storeTimeoutMs,
        traceparent,
      }),
    );
  }

  /** Like append, but returns the error instead of throwing it (one result per edit in _sync). */
  async tryAppend(command: AppendCommand, traceparent: string): Promise<{ data: AppendResult } | { error: TakesError }> {
    try {
      return { data: await this.append(command, traceparent) };
    } catch (error) {
      if (error instanceof TakesError) return { error };
      throw error;
    }
  }

  async read<T>(what: StoreRead, body: object, traceparent: string): Promise<T> {
    return this.unwrap(await requestJson<T>(this.nc, this.subjects.storeRead(what), body, { timeoutMs: this.config.storeTimeoutMs, traceparent }));
  }

  private unwrap<T>(reply: { data: T } | { error: { code: TakesError['code']; message: string; details?: TakesError['details'] } }): T {
    if ('error' in reply) throw new TakesError(reply.error.code, reply.error.message, reply.error.details);
    return reply.data;
  }
}
