import type { FastifyInstance } from 'fastify';

/**
 * JSON Patch bodies (PATCH, `application/json-patch+json`) are JSON too: parsed like
 * `application/json`, and a body that is not JSON is a 400 (INVALID_PAYLOAD through the
 * error filter).
 */
export function acceptJsonPatchBodies(fastify: FastifyInstance): void {
  fastify.addContentTypeParser('application/json-patch+json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new SyntaxError('request body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
}
