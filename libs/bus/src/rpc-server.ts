import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { lastValueFrom, isObservable } from 'rxjs';
import { ErrorCode } from '@takes/contracts';
import { answerRequest, respond, type AnswerOptions } from './rpc-answer';

/** What a handler sees besides the message body. */
export class NatsRpcContext {
  constructor(
    readonly subject: string,
    readonly traceparent: string | undefined,
  ) {}
}

/** Where and how the server listens; `onError` and `knownError` say how failures are answered (AnswerOptions). */
export interface NatsRpcOptions extends AnswerOptions {
  /** Resolves the connection once the app starts (the module owns it). */
  connection: () => Promise<NatsConnection> | NatsConnection;
  /** Prefix put before every pattern (`''` in production). */
  subjectPrefix: string;
  /** Queue group: replicas of one service share the requests. */
  queue: string;
  /** Requests handled at once by this process; more are refused with UNAVAILABLE at once. */
  maxInFlight: number;
}

/**
 * A Nest microservice transport for JSON request/reply over NATS with the project's own
 * message shapes (no Nest packet envelope), so any NATS client can call a service.
 * `@MessagePattern('cmd.*.*')` subscribes to `<prefix>cmd.*.*` in the queue group.
 *
 * Handlers return plain data and throw a TakesError to refuse: the server answers
 * `{data: <what the handler returned>}`, or `{error: <the TakesError's body>}`. Any other
 * failure is `knownError`'s TakesError if it names one, else INTERNAL_ERROR (reported
 * to `onError`, never sent: no stack or SQL leaves the service). Errors are mapped here
 * once, not in each handler.
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
      respond(msg, { error: { code: ErrorCode.UNAVAILABLE, message: 'server busy, retry with the same command id' } }, this.options);
      return;
    }
    const handler = this.messageHandlers.get(pattern);
    if (!handler) return;
    this.inFlight += 1;
    try {
      await answerRequest(
        msg,
        async (body) => {
          const result = await handler(body, new NatsRpcContext(msg.subject, msg.headers?.get('traceparent') || undefined));
          return isObservable(result) ? await lastValueFrom(result) : result;
        },
        this.options,
      );
    } finally {
      this.inFlight -= 1;
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
