import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConflictsConfig } from '../config';
import { REVIEW_PATH, cacheControlOf, contentTypeOf, reviewFile } from './review-files';

/** What the page reads at start: where the gateway is (null: its own host on port 8080). */
export interface ReviewPageConfig {
  api_url: string | null;
}

/**
 * Serves the built review page (dist/review) at /review/, and /review/config.json with
 * the gateway's URL. Only files inside the page's folder are ever read (reviewFile).
 */
export function serveReviewPage(app: NestFastifyApplication, config: ConflictsConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const root = config.review.dir;
  const pageConfig: ReviewPageConfig = { api_url: config.review.apiUrl };

  const notFound = (reply: FastifyReply, message: string) =>
    reply.code(404).header('content-type', 'application/json; charset=utf-8').send({ error: { code: 'NOT_FOUND', message, details: null } });

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    const file = reviewFile(request.url);
    if (file === null) return notFound(reply, 'no such file of the review page');
    const full = path.resolve(root, file);
    if (!full.startsWith(root + path.sep)) return notFound(reply, 'no such file of the review page');
    const info = await stat(full).catch(() => null);
    if (!info?.isFile()) {
      return notFound(reply, file === 'index.html' ? 'the review page is not built (npm run build writes dist/review)' : 'no such file of the review page');
    }
    return reply
      .header('content-type', contentTypeOf(file))
      .header('cache-control', cacheControlOf(file))
      .header('x-content-type-options', 'nosniff')
      .send(await readFile(full));
  };

  fastify.get(`${REVIEW_PATH}/config.json`, (_request, reply) => reply.header('cache-control', 'no-cache').send(pageConfig));
  fastify.get(REVIEW_PATH, serve);
  fastify.get(`${REVIEW_PATH}/*`, serve);
}
