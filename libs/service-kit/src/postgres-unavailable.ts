import { TakesError } from '@takes/contracts';
import { isTimeoutError, isUnavailableError } from '@takes/db';

/**
 * PostgreSQL unreachable, restarting or out of time, as the UNAVAILABLE a request is
 * answered with (the caller may retry; the same command id is safe); undefined for any
 * other failure. The `knownError` of every service's responders.
 */
export function postgresUnavailable(error: unknown): TakesError | undefined {
  return isUnavailableError(error) || isTimeoutError(error) ? new TakesError('UNAVAILABLE', 'PostgreSQL is unavailable, retry later') : undefined;
}
