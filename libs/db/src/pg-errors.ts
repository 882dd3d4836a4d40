/**
 * Whether a pg error means "PostgreSQL cannot be reached right now" (server down,
 * restarting, connection lost, pool exhausted) rather than a problem with the request.
 * Those become UNAVAILABLE: the client may retry the same command id safely.
 */
export function isUnavailableError(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message } = error as { code?: string; message?: string };
  if (code && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300')) {
    return true;
  }
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) {
    return true;
  }
  const text = message ?? '';
  return (
    text.includes('timeout exceeded when trying to connect') ||
    text.includes('Connection terminated') ||
    text.includes('connection timeout') ||
    text.includes('Client has encountered a connection error') ||
    text.includes('Client was closed')
  );
}

/** Errors after which a shared group-commit transaction is retried member by member. */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001' || code === '23505';
}

/** statement_timeout or lock_timeout fired. */
export function isTimeoutError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '57014' || code === '55P03';
}

/** A unique constraint refused the row (SQLSTATE 23505). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}
