import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { NatsConnection } from 'nats';
import { NatsRpcServer } from '@takes/bus';
import { PinoNestLogger, createLogger } from '@takes/observability';
import { loadConflictsConfig } from './config';
import { ConflictsModule } from './conflicts.module';
import { NATS_CONNECTION } from './tokens';

async function bootstrap(): Promise<void> {
  const logger = createLogger('conflicts');
  try {
    const config = loadConflictsConfig();
    const app = await NestFactory.create<NestFastifyApplication>(ConflictsModule.forRoot(config, logger), new FastifyAdapter(), {
      logger: new PinoNestLogger(logger),
    });
    app.enableShutdownHooks();
    const nc = app.get<NatsConnection>(NATS_CONNECTION);
    app.connectMicroservice(
      {
        strategy: new NatsRpcServer({
          connection: () => nc,
          subjectPrefix: config.subjectPrefix,
          queue: 'conflicts',
          maxInFlight: config.maxInFlight,
          onError: (error, subject) => logger.error({ err: error, subject }, 'request failed'),
        }),
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    await app.listen(config.httpPort, '0.0.0.0');
    logger.info({ httpPort: config.httpPort }, 'conflicts ready');
  } catch (error) {
    logger.fatal({ err: error }, 'conflicts failed to start');
    process.exit(1);
  }
}

void bootstrap();
