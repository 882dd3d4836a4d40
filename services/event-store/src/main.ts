import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NatsConnection } from 'nats';
import { NatsRpcServer } from '@takes/bus';
import { PinoNestLogger, createLogger } from '@takes/observability';
import { loadEventStoreConfig } from './config';
import { EventStoreModule } from './event-store.module';
import { NATS_CONNECTION } from './tokens';

async function bootstrap(): Promise<void> {
  const logger = createLogger('event-store');
  try {
    const config = loadEventStoreConfig();
    const app = await NestFactory.create<NestFastifyApplication>(EventStoreModule.forRoot(config, logger), new FastifyAdapter(), {
      logger: new PinoNestLogger(logger),
    });
    app.enableShutdownHooks();
    const nc = app.get<NatsConnection>(NATS_CONNECTION);
    app.connectMicroservice(
      {
        strategy: new NatsRpcServer({
          connection: () => nc,
          subjectPrefix: config.subjectPrefix,
          queue: 'event-store',
          maxInFlight: config.maxInFlight,
          onError: (error, subject) => logger.error({ err: error, subject }, 'request failed'),
        }),
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    await app.listen(config.httpPort, '0.0.0.0');
    logger.info({ httpPort: config.httpPort, prefix: config.subjectPrefix, stream: config.stream.name }, 'event store ready');
  } catch (error) {
    logger.fatal({ err: error }, 'event store failed to start');
    process.exit(1);
  }
}

void bootstrap();
