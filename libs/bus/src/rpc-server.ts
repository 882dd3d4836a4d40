import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { lastValueFrom, isObservable } from 'rxjs';
import { ErrorCode, type Reply } from '@takes/contracts';

/** What a handler sees besides the message body. */
export class NatsRpcContext {
  constructor(
    readonly subject: string,
    readonly traceparent: string | undefined,
  ) {}
}

export interface NatsRpcOptions {
  /** Resolves the connection once the app starts (the module owns it). */
  connection: () => Promise<NatsConnection> | NatsConnection;
  /** Prefix put before every pattern (`''` in production). */
  subjectPrefix: string;
  /** Queue group: replicas of one service share the requests. */
  queue: string;
  /** Requests handled at once by this process; more are refused with UNAVAILABLE at once. */
  maxInFlight: number;
  /** Called for handler failures that escaped the handler (logged by the caller). */
  onError?: (error: unknown, subject: string) => void;
}

/**
 * A Nest microservice transport for JSON request/reply over NATS with the project's own
 * message shapes (no Nest packet envelope), so any NATS client can call a service.
 * `@MessagePattern('cmd.*.*')` subscribes to `<prefix>cmd.*.*` in the queue group.
 */
export class NatsRpcServer extends Server implements CustomTransportStrategy {
  private subscriptions: Subscription[] = [];
  private inFlight = 0;
  private nc?: NatsConnection;

  constructor(private readonly options: NatsRpcOptions) {
    super();
  }

  get load(): number {
    return this.inFlight;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      this.nc = await this.options.connection();
      for (const pattern of this.messageHandlers.keys()) {
        const subject = `${this.options.subjectPrefix}${pattern}`;
        const sub = this.nc.subscribe(subject, {
          queue: this.options.queue,
          callback: (error, msg) => {
            if (!error) void this.handle(pattern, msg);
          },
        });
        this.subscriptions.push(sub);
      }
      await this.nc.flush();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async handle(pattern: string, msg: Msg): Promise<void> {
    if (!msg.reply) return;
    if (this.inFlight >= this.options.maxInFlight) {
      this.reply(msg, { error: { code: ErrorCode.UNAVAILABLE, message: 'server busy, retry with the same command id' } });
      return;
    }
    this.inFlight += 1;
    try {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.from(msg.data).toString('utf8'));
      } catch {
        this.reply(msg, { error: { code: ErrorCode.INVALID_PAYLOAD, message: 'message body is not JSON' } });
        return;
      }
      const handler = this.messageHandlers.get(pattern);
      if (!handler) return;
      const context = new NatsRpcContext(msg.subject, msg.headers?.get('traceparent') || undefined);
      const result = await handler(body, context);
      const value = isObservable(result) ? await lastValueFrom(result) : result;
      this.reply(msg, value as Reply<unknown>);
    } catch (error) {
      this.options.onError?.(error, msg.subject);
      this.reply(msg, { error: { code: ErrorCode.INTERNAL_ERROR, message: 'internal error' } });
    } finally {
      this.inFlight -= 1;
    }
  }

  private reply(msg: Msg, reply: Reply<unknown>): void {
    try {
      msg.respond(Buffer.from(JSON.stringify(reply)));
    } catch (error) {
      this.options.onError?.(error, msg.subject);
    }
  }

  async close(): Promise<void> {
    for (const sub of this.subscriptions) {
      await sub.drain().catch(() => sub.unsubscribe());
    }
    this.subscriptions = [];
  }

  on(): void {
    throw new Error('NatsRpcServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }
}
