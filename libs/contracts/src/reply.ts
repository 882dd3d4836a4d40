import type { ErrorBody } from './errors';

/**
 * Every NATS reply: `{data}` on success, `{error}` in the error shape otherwise.
 * Replies never carry stack traces or SQL.
 */
export type Reply<T> = { data: T } | { error: ErrorBody };

export function isErrorReply<T>(reply: Reply<T>): reply is { error: ErrorBody } {
  return typeof reply === 'object' && reply !== null && 'error' in reply;
}
