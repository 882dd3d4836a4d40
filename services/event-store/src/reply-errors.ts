import { ErrorCode, isTakesError, type Reply } from '@takes/contracts';
import { isTimeoutError, isUnavailableError } from '@takes/db';
import type { Logger } from 'pino';

/** Turns anything a handler threw into a reply in the error shape, never leaking SQL or stacks. */
export function errorReply(error: unknown, log: Logger, context: object): Reply<never> {
  if (isTakesError(error)) return { error: error.toBody() };
  if (isUnavailableError(error) || isTimeoutError(error)) {
    return { error: { code: ErrorCode.UNAVAILABLE, message: 'PostgreSQL is unavailable, retry later' } };
  }
  log.error({ err: error, ...context }, 'unexpected failure');
  return { error: { code: ErrorCode.INTERNAL_ERROR, message: 'internal error' } };
}
