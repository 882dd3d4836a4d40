import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NatsConnection } from 'nats';
import { NatsRpcServer } from '@takes/bus';
import { PinoNestLogger, createLogger } from '@takes/observability';
import { postgresUnavailable } from '@takes/service-kit';
import { loadProjectorConfig } from './config';
import { Projector } from './projection/projector';
import { ProjectorModule } from './projector.module';
import { NATS_CONNECTION } from './tokens';

async function bootstrap(): Promise<void> {
  const logger = createLogger('projector');
  try {
    const config = loadProjectorConfig();
    const app = await NestFactory.create<NestFastifyApplication>(ProjectorModule.forRoot(config, logger), new FastifyAdapter(), {
      logger: new PinoNestLogger(logger),
    });
    app.enableShutdownHooks();
    const nc = app.get<NatsConnection>(NATS_CONNECTION);
    app.connectMicroservice(
      {
        strategy: new NatsRpcServer({
          connection: () => nc,
          subjectPrefix: config.subjectPrefix,
          queue: 'projector',
          maxInFlight: config.maxInFlight,
          onError: (error, subject) => logger.error({ err: error, subject }, 'request failed'),
          knownError: postgresUnavailable,
        }),
      },
      { inheritAppConfig: true },
    );
    await app.listen(config.httpPort, '0.0.0.0');
    logger.info({ httpPort: config.httpPort }, 'projector ready');
    // Rebuild requests go to the active replica only: a standby one subscribes once it leads.
    void app
      .get(Projector)
      .leading.then(() => app.startAllMicroservices())
      .then(
        () => logger.info({ prefix: config.subjectPrefix }, 'projector serving rebuild requests'),
        (error) => logger.error({ err: error }, 'projector could not serve rebuild requests'),
      );
  } catch (error) {
    logger.fatal({ err: error }, 'projector failed to start');
    process.exit(1);
  }
}

void bootstrap();
