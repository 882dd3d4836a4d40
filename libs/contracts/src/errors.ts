/** The error codes every boundary speaks (ARCHITECTURE.md, ROCKET-CONTRACT.md). */
export const ErrorCode = {
  UNKNOWN_ENTITY: 'UNKNOWN_ENTITY',
  NOT_FOUND: 'NOT_FOUND',
  APP_NOT_FOUND: 'APP_NOT_FOUND',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNKNOWN_FIELD: 'UNKNOWN_FIELD',
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
  CONFLICT: 'CONFLICT',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The HTTP status each code maps to, so a gateway never has to guess. */
export const errorStatus: Record<ErrorCode, number> = {
  UNKNOWN_ENTITY: 404,
  NOT_FOUND: 404,
  APP_NOT_FOUND: 404,
  VALIDATION_FAILED: 422,
  UNKNOWN_FIELD: 400,
  INVALID_PAYLOAD: 400,
  CONFLICT: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

/** One entry of `details`: which field, which rule, what went wrong. */
export interface ErrorDetail {
  field?: string;
  rule?: string;
  message: string;
  [extra: string]: unknown;
}

/** The body of every error, over HTTP and over NATS: `{error: {code, message, details}}`. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[] | Record<string, unknown>;
}

/** An error that carries its code; thrown by pure code, turned into the error shape at the edge. */
export class TakesError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorBody['details'],
  ) {
    super(message);
    this.name = 'TakesError';
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isTakesError(value: unknown): value is TakesError {
  return value instanceof TakesError;
}
