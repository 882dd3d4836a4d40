import type { FastifyInstance } from 'fastify';
import { ErrorCode, TakesError } from '@takes/contracts';

/**
 * How deep a request body may nest (objects and arrays). Far more than any record,
 * nested write or JSON Patch needs, and small enough that every recursive walk over
 * client JSON after the gateway (canonical JSON of the command fingerprint, patches,
 * merges) stays far from the stack's limit.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The gateway's JSON bodies, `application/json` and JSON Patch's
 * `application/json-patch+json` alike:
 * - an empty body is no body (Rocket's clients send `Content-Type: application/json` on
 *   every request, a DELETE or a `…/restore` included);
 * - a body that is not JSON, or nests deeper than MAX_JSON_DEPTH, is a 400 INVALID_PAYLOAD.
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

/** A request body's JSON: undefined when empty, else parsed and its depth bounded. */
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
  return value;
}

/** How deep `value` nests (a scalar is 0), counted without recursion; stops once past `limit`. */
export function jsonDepth(value: unknown, limit = Infinity): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    const inner = depth + 1;
    if (inner > deepest) deepest = inner;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, inner]);
  }
  return deepest;
}
