import type { FastifyInstance } from 'fastify';
import { ErrorCode, MAX_JSON_DEPTH, TakesError, findUnstorableText, jsonDepth } from '@takes/contracts';

/**
 * The gateway's JSON bodies, `application/json` and JSON Patch's
 * `application/json-patch+json` alike:
 * - an empty body is no body (Rocket's clients send `Content-Type: application/json` on
 *   every request, a DELETE or a `…/restore` included);
 * - a body that is not JSON, or nests deeper than MAX_JSON_DEPTH, is a 400 INVALID_PAYLOAD;
 * - a string in it (value or key) with a NUL character or a lone surrogate is a 422
 *   VALIDATION_FAILED naming where it is: PostgreSQL cannot store it intact, so no route
 *   could keep it (a record's fields are refused the same way by normalizeFieldValue).
 */
export function acceptJsonBodies(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  for (const type of ['application/json', 'application/json-patch+json']) {
    fastify.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
  }
}

/** A request body's JSON: undefined when empty, else parsed, its depth bounded and its text storable. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw Object.assign(new SyntaxError('request body is not valid JSON'), { statusCode: 400 });
  }
  if (jsonDepth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new TakesError(ErrorCode.INVALID_PAYLOAD, `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const unstorable = findUnstorableText(value);
  if (unstorable) {
    const field = unstorable.pointer.slice(1).replace(/\//g, '.');
    const message = `${field || 'the body'} holds ${unstorable.reason}`;
    throw new TakesError(ErrorCode.VALIDATION_FAILED, 'Validation failed', [{ ...(field ? { field } : {}), rule: 'text', message }]);
  }
  return value;
}
