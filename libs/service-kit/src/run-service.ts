import 'reflect-metadata';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
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
  /** Options of the Fastify server under Nest (body limit, trustProxy, ...); Fastify's defaults when absent. */
  fastify?(config: C): FastifyServerOptions;
  /**
   * Adds to the HTTP server what Nest's modules do not: content-type parsers, hooks on
   * every request, extra routes. Runs once the application is made, before it listens.
   */
  configureHttp?(app: NestFastifyApplication, config: C, logger: Logger): void | Promise<void>;
  /** configureHttp parses JSON bodies itself: Nest then adds no body parser of its own. */
  ownBodyParsers?: boolean;
  /** NATS request/reply handlers (`@MessagePattern`), in a queue group shared by the replicas. */
  rpc?: {
    connection: symbol;
    queue: string;
    subjectPrefix(config: C): string;
    maxInFlight(config: C): number;
    /**
     * When given, the handlers subscribe only once this resolves, after the HTTP port is
     * up (the projector serves rebuilds only from the replica that leads); otherwise they
     * subscribe before the HTTP port opens.
     */
    startWhen?(app: NestFastifyApplication): Promise<unknown>;
  };
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
    const app = await NestFactory.create<NestFastifyApplication>(options.module(config, logger), new FastifyAdapter(options.fastify?.(config)), {
      logger: new PinoNestLogger(logger),
      bodyParser: !options.ownBodyParsers,
    });
    // On SIGTERM or SIGINT: Nest's shutdown hooks, then process.exit (not the signal again),
    // so the logger writes out the lines it still holds, those of the hooks included.
    app.enableShutdownHooks(undefined, { useProcessExit: true });
    await options.configureHttp?.(app, config, logger);
    const rpc = options.rpc;
    if (rpc) {
      const nc = app.get<NatsConnection>(rpc.connection);
      app.connectMicroservice(
        {
          strategy: new NatsRpcServer({
            connection: () => nc,
            subjectPrefix: rpc.subjectPrefix(config),
            queue: rpc.queue,
            maxInFlight: rpc.maxInFlight(config),
            onError: (error, subject) => logger.error({ err: error, subject }, 'request failed'),
            knownError: postgresUnavailable,
          }),
        },
        { inheritAppConfig: true },
      );
      if (!rpc.startWhen) await app.startAllMicroservices();
    }
    await app.listen(options.httpPort(config), '0.0.0.0');
    logger.info({ httpPort: options.httpPort(config) }, `${options.name} ready`);
    if (rpc?.startWhen) {
      void rpc
        .startWhen(app)
        .then(() => app.startAllMicroservices())
        .then(
          () => logger.info({ prefix: rpc.subjectPrefix(config) }, `${options.name} serving NATS requests`),
          (error) => logger.error({ err: error }, `${options.name} could not serve NATS requests`),
        );
    }
    return app;
  } catch (error) {
    logger.fatal({ err: error }, `${options.name} failed to start`);
    process.exit(1);
  }
}
