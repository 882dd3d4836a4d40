import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ErrorCode } from '@takes/contracts';
import { PinoNestLogger, createLogger } from '@takes/observability';
import { loadGatewayConfig } from './config';
import { GatewayModule } from './gateway.module';
import { traceFromHeader } from './http/request-context';
import { HttpMetrics } from './ops/http-metrics';
import { RateLimiter } from './ops/rate-limiter';

async function bootstrap(): Promise<void> {
  const logger = createLogger('gateway');
  try {
    const config = loadGatewayConfig();
    const adapter = new FastifyAdapter({ bodyLimit: config.bodyLimitBytes, trustProxy: true });
    const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config, logger), adapter, {
      logger: new PinoNestLogger(logger),
    });
    app.enableShutdownHooks();
    const fastify = app.getHttpAdapter().getInstance();
    const metrics = app.get(HttpMetrics);
    const limiter = new RateLimiter(config.rateLimitPerSecond);

    // JSON Patch bodies are JSON too.
    fastify.addContentTypeParser('application/json-patch+json', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(Object.assign(new SyntaxError('request body is not valid JSON'), { statusCode: 400 }), undefined);
      }
    });

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
    // Unknown routes and body errors (too large, not JSON) reach ErrorShapeFilter through Nest.

    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Takes')
        .setDescription("Takes' HTTP API: Rocket's routes and shapes, plus offline sync and the takes")
        .setVersion('0.1.0')
        .addBearerAuth()
        .build(),
    );
    fastify.get('/api/docs', async () => document);

    await app.listen(config.port, '0.0.0.0');
    logger.info({ port: config.port }, 'gateway ready');
  } catch (error) {
    logger.fatal({ err: error }, 'gateway failed to start');
    process.exit(1);
  }
}

void bootstrap();
