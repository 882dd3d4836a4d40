import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ErrorCode } from '@takes/contracts';
import type { HttpMetrics } from '../ops/http-metrics';
import type { RateLimiter } from '../ops/rate-limiter';
import { traceFromHeader } from './request-context';

export interface RequestHooksOptions {
  limiter: RateLimiter;
  metrics: HttpMetrics;
  logger: Logger;
}

/**
 * What happens around every request, before Nest's routing and after its reply: the
 * trace id (from `traceparent`, or a new one, echoed back), the rate limit per token (or
 * per IP before login; /health and /metrics are never limited), and a metric and one log
 * line per answered request. Unknown routes and body errors (too large, not JSON) reach
 * ErrorShapeFilter through Nest.
 */
export function addRequestHooks(fastify: FastifyInstance, { limiter, metrics, logger }: RequestHooksOptions): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const { traceId, traceparent } = traceFromHeader(request.headers.traceparent);
    request.traceId = traceId;
    request.traceparent = traceparent;
    void reply.header('traceparent', traceparent);
    const key = request.headers.authorization ?? `ip:${request.ip}`;
    if (!request.url.startsWith('/health') && !request.url.startsWith('/metrics') && !limiter.take(key)) {
      await reply.status(429).header('Retry-After', '1').send({ error: { code: ErrorCode.RATE_LIMITED, message: 'too many requests, slow down' } });
    }
  });
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    logger.info({ traceId: request.traceId, method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });
}
