import { TakesError, type ErrorBody } from './errors';

/**
 * Every NATS reply: `{data}` on success, `{error}` in the error shape otherwise.
 * Replies never carry stack traces or SQL.
 */
export type Reply<T> = { data: T } | { error: ErrorBody };


/** The data of a reply; an error reply is thrown as a TakesError with its code and details. */
export function replyData<T>(reply: Reply<T>): T {
  if ('error' in reply) throw new TakesError(reply.error.code, reply.error.message, reply.error.details);
  return reply.data;
}
