import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { HttpMetrics } from '../ops/http-metrics';
import { RateLimiter } from '../ops/rate-limiter';
import { allowBrowserOrigins } from './cors';
import { answerOversizeBodiesAfterUpload } from './edge-errors';
import { acceptJsonBodies } from './json-bodies';
import { serveOpenApi } from './openapi';
import { addRequestHooks } from './request-hooks';

/** The gateway's HTTP server beyond Nest's routes: browser origins (CORS), JSON bodies (JSON Patch too), the hooks on every request, the OpenAPI document. */
export function configureHttp(app: NestFastifyApplication, config: GatewayConfig, logger: Logger): void {
  allowBrowserOrigins(app, config);
  const fastify = app.getHttpAdapter().getInstance();
  acceptJsonBodies(fastify);
  answerOversizeBodiesAfterUpload(fastify);
  addRequestHooks(fastify, { limiter: new RateLimiter(config.rateLimitPerSecond), metrics: app.get(HttpMetrics), logger });
  serveOpenApi(app);
}
