import { headers as natsHeaders, type NatsConnection } from 'nats';
import { ErrorCode, replyData, type Reply } from '@takes/contracts';
import { newTraceparent } from './trace';
import { requestMux } from './request-mux';

export interface RequestOptions {
  timeoutMs?: number;
  traceparent?: string;
  /** The message of the UNAVAILABLE reply when nobody answers (default: says the request on the subject failed, and why). */
  unavailableMessage?: string;
}

/**
 * Sends a JSON request and returns the JSON reply. No responder, a timeout or a lost
 * connection become an UNAVAILABLE reply (never a hang): the caller may retry with the
 * same command id.
 */
export async function requestJson<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  options: RequestOptions = {},
): Promise<Reply<T>> {
  const h = natsHeaders();
  h.set('traceparent', options.traceparent ?? newTraceparent());
  try {
    const msg = await requestMux(nc).request(subject, Buffer.from(JSON.stringify(body)), {
      timeoutMs: options.timeoutMs ?? 5_000,
      headers: h,
    });
    return JSON.parse(Buffer.from(msg.data).toString('utf8')) as Reply<T>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === '503' ? 'no event store is listening' : code === 'TIMEOUT' ? 'timed out' : String((error as Error).message);
    return { error: { code: ErrorCode.UNAVAILABLE, message: options.unavailableMessage ?? `request on ${subject} failed: ${reason}` } };
  }
}

/** Like `requestJson`, but resolves with the reply's data and throws an error reply as a TakesError with its code and details. */
export async function requestData<T>(nc: NatsConnection, subject: string, body: unknown, options: RequestOptions = {}): Promise<T> {
  return replyData(await requestJson<T>(nc, subject, body, options));
}
