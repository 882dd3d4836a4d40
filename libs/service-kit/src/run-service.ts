import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { NatsRpcServer } from '@takes/bus';
import { PinoNestLogger, createLogger } from '@takes/observability';
import { postgresUnavailable } from './postgres-unavailable';

export interface ServiceOptions<C> {
  /** The service's name, on every log line and metric. */
  name: string;
  /** Reads and checks the settings (throws on a bad value). */
  loadConfig(): C;
  module(config: C, logger: Logger): DynamicModule;
  httpPort(config: C): number;
  /** NATS request/reply handlers (`@MessagePattern`), in a queue group shared by the replicas. */
  rpc?: { connection: symbol; queue: string; subjectPrefix(config: C): string; maxInFlight(config: C): number };
}

/**
 * Starts one Takes service as its own process: a Nest application on Fastify for
 * /health, /ready and /metrics (and its HTTP routes), pino logs, and optionally a NATS
 * request/reply microservice. A failure to start is logged and ends the process.
 */
export async function runService<C>(options: ServiceOptions<C>): Promise<NestFastifyApplication | undefined> {
  const logger = createLogger(options.name);
  try {
    const config = options.loadConfig();
    const app = await NestFactory.create<NestFastifyApplication>(options.module(config, logger), new FastifyAdapter(), {
      logger: new PinoNestLogger(logger),
    });
    app.enableShutdownHooks();
    if (options.rpc) {
      const nc = app.get<NatsConnection>(options.rpc.connection);
      app.connectMicroservice(
        {
          strategy: new NatsRpcServer({
            connection: () => nc,
            subjectPrefix: options.rpc.subjectPrefix(config),
            queue: options.rpc.queue,
            maxInFlight: options.rpc.maxInFlight(config),
            onError: (error, subject) => logger.error({ err: error, subject }, 'request failed'),
            knownError: postgresUnavailable,
          }),
        },
        { inheritAppConfig: true },
      );
      await app.startAllMicroservices();
    }
    await app.listen(options.httpPort(config), '0.0.0.0');
    logger.info({ httpPort: options.httpPort(config) }, `${options.name} ready`);
    return app;
  } catch (error) {
    logger.fatal({ err: error }, `${options.name} failed to start`);
    process.exit(1);
  }
}
