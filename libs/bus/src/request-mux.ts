import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';

/**
 * Why a request got no answer: a timeout, nobody subscribed to its subject (NATS' 503),
 * the connection closed, or the request could not be sent (a payload over the server's
 * limit, a closed connection).
 */
export class RequestFailed extends Error {
  constructor(readonly code: 'TIMEOUT' | '503' | 'CLOSED' | 'NOT_SENT', message: string) {
    super(message);
  }
}

interface Waiting {
  resolve(msg: Msg): void;
  reject(error: RequestFailed): void;
  timer: NodeJS.Timeout;
}

/**
 * Request and reply over one inbox subscription per connection, as nats.js' own
 * request() does, without what that costs per request: nats.js ends every answered
 * request by rejecting its already settled promise with a new error object (a stack
 * trace each), which was about a fifth of the gateway's time in nats.js at 32
 * connections. Answers come to `<inbox>.<n>`. A request ends with its answer, with "no
 * responders" (a 503 status without data, which NATS sends when nobody subscribes to
 * the subject), with its timeout, or when the connection closes.
 */
export class RequestMux {
  private readonly inbox = createInbox();
  private readonly waiting = new Map<string, Waiting>();
  private next = 0;
  private readonly subscription: Subscription;

  constructor(private readonly nc: NatsConnection) {
    this.subscription = nc.subscribe(`${this.inbox}.*`, { callback: (error, msg) => (error ? undefined : this.answered(msg)) });
    void this.subscription.closed.then(() => this.failAll());
  }

  /** Whether this mux can still take requests (its subscription is open). */
  get open(): boolean {
    return !this.subscription.isClosed();
  }

  request(subject: string, data: Uint8Array, options: { timeoutMs: number; headers?: MsgHdrs }): Promise<Msg> {
    const token = (this.next++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        reject(new RequestFailed('TIMEOUT', `no answer on ${subject} within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      this.waiting.set(token, { resolve, reject, timer });
      try {
        this.nc.publish(subject, data, { reply: `${this.inbox}.${token}`, headers: options.headers });
      } catch (error) {
        clearTimeout(timer);
        this.waiting.delete(token);
        reject(new RequestFailed('NOT_SENT', `cannot send on ${subject}: ${(error as Error).message}`));
      }
    });
  }

  private answered(msg: Msg): void {
    const token = msg.subject.slice(this.inbox.length + 1);
    const waiting = this.waiting.get(token);
    if (!waiting) return; // answered after its timeout, or a second answer
    this.waiting.delete(token);
    clearTimeout(waiting.timer);
    if (msg.data.length === 0 && msg.headers?.code === 503) waiting.reject(new RequestFailed('503', 'no responders'));
    else waiting.resolve(msg);
  }

  private failAll(): void {
    for (const [token, waiting] of this.waiting) {
      this.waiting.delete(token);
      clearTimeout(waiting.timer);
      waiting.reject(new RequestFailed('CLOSED', 'the NATS connection closed'));
    }
  }
}

const muxes = new WeakMap<NatsConnection, RequestMux>();

/** The connection's request mux, made on first use (and again if its subscription ended). */
export function requestMux(nc: NatsConnection): RequestMux {
  let mux = muxes.get(nc);
  if (!mux || !mux.open) {
    mux = new RequestMux(nc);
    muxes.set(nc, mux);
  }
  return mux;
}
