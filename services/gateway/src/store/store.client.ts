import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { replyData, subjects, type AppendCommand, type AppendResult, type StoreRead, type Subjects } from '@takes/contracts';
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
    return replyData(
      await requestJson<AppendResult>(this.nc, this.subjects.command(command.app, command.entity), command, {
        timeoutMs: this.config.storeTimeoutMs,
        traceparent,
      }),
    );
  }

  /** The store's last committed position: waiting for it shows every write made so far. */
  async lastPosition(traceparent?: string): Promise<number> {
    return (await this.read<{ position: number }>('position', {}, traceparent)).position;
  }

  /** Whether the store has appended this command id for this app and user. */
  async commandSeen(app: string, userId: string, commandId: string, traceparent?: string): Promise<boolean> {
    return (await this.read<{ seen: boolean }>('command', { app, user_id: userId, command_id: commandId }, traceparent)).seen;
  }

  async read<T>(what: StoreRead, body: object, traceparent?: string): Promise<T> {
    return replyData(await requestJson<T>(this.nc, this.subjects.storeRead(what), body, { timeoutMs: this.config.storeTimeoutMs, traceparent }));
  }

}
