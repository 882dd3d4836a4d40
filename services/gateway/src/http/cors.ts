import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GatewayConfig } from '../config';

/** Request headers a browser page may send: Rocket's and Takes' write headers. */
const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'if-match',
  'idempotency-key',
  'x-takes-parent',
  'x-takes-branch-ts',
  'x-takes-submit-ts',
  'x-takes-device',
  'x-takes-min-position',
];

/** Response headers a page may read: the version, the store position, the command id, when to retry. */
const EXPOSED_HEADERS = ['etag', 'x-takes-position', 'idempotency-key', 'retry-after'];

/**
 * Lets browser pages on other origins (the review page on the conflicts service, a field
 * app) call the API. Tokens travel only as bearer headers, never as cookies, so a page
 * cannot act with a user's rights unless it holds their token: any origin is the default,
 * and TAKES_CORS_ORIGINS narrows it.
 */
export function allowBrowserOrigins(app: NestFastifyApplication, config: GatewayConfig): void {
  app.enableCors({
    origin: config.corsOrigins === '*' ? '*' : config.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  });
}
