import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { HttpMetrics } from '../ops/http-metrics';
import { RateLimiter } from '../ops/rate-limiter';
import { acceptJsonPatchBodies } from './json-patch-body';
import { serveOpenApi } from './openapi';
import { addRequestHooks } from './request-hooks';

/** The gateway's HTTP server beyond Nest's routes: JSON Patch bodies, the hooks on every request, the OpenAPI document. */
export function configureHttp(app: NestFastifyApplication, config: GatewayConfig, logger: Logger): void {
  const fastify = app.getHttpAdapter().getInstance();
  acceptJsonPatchBodies(fastify);
  addRequestHooks(fastify, { limiter: new RateLimiter(config.rateLimitPerSecond), metrics: app.get(HttpMetrics), logger });
  serveOpenApi(app);
}
