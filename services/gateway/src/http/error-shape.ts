import { ErrorCode, errorStatus, isTakesError, type ErrorBody } from '@takes/contracts';

/** Maps anything thrown while answering a request to a status and the error shape. */
export function toErrorResponse(error: unknown): { status: number; body: { error: ErrorBody } } {
  if (isTakesError(error)) return { status: errorStatus[error.code], body: { error: error.toBody() } };
  const e = error as { code?: string; statusCode?: number; status?: number; message?: string; getStatus?: () => number; getResponse?: () => unknown };
  // Fastify's own refusals while reading the body.
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return invalid('request body is larger than the limit', 413);
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return invalid('unsupported content type; send application/json');
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return invalid('request body is empty');
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return invalid('request body is not valid JSON');
  if (typeof e.getStatus === 'function') {
    const status = e.getStatus();
    const response = e.getResponse?.();
    if (response && typeof response === 'object' && 'error' in response && typeof (response as { error: unknown }).error === 'object') {
      return { status, body: response as { error: ErrorBody } };
    }
    if (status === 404) return { status, body: { error: { code: ErrorCode.NOT_FOUND, message: 'route not found' } } };
    if (status === 400) return invalid(e.message ?? 'bad request');
    if (status === 401) return { status, body: { error: { code: ErrorCode.UNAUTHORIZED, message: e.message ?? 'unauthorized' } } };
    if (status === 403) return { status, body: { error: { code: ErrorCode.FORBIDDEN, message: e.message ?? 'forbidden' } } };
    if (status === 413) return invalid('request body is larger than the limit', 413);
    if (status >= 400 && status < 500) return invalid(e.message ?? 'bad request');
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return invalid(e.message ?? 'bad request');
  return { status: 500, body: { error: { code: ErrorCode.INTERNAL_ERROR, message: 'internal error' } } };
}

function invalid(message: string, status = 400) {
  return { status, body: { error: { code: ErrorCode.INVALID_PAYLOAD, message } } };
}
