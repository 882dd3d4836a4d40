import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { PinoNestLogger, createLogger } from '@takes/observability';
import { loadProjectorConfig } from './config';
import { ProjectorModule } from './projector.module';

async function bootstrap(): Promise<void> {
  const logger = createLogger('projector');
  try {
    const config = loadProjectorConfig();
    const app = await NestFactory.create<NestFastifyApplication>(ProjectorModule.forRoot(config, logger), new FastifyAdapter(), {
      logger: new PinoNestLogger(logger),
    });
    app.enableShutdownHooks();
    await app.listen(config.httpPort, '0.0.0.0');
    logger.info({ httpPort: config.httpPort }, 'projector ready');
  } catch (error) {
    logger.fatal({ err: error }, 'projector failed to start');
    process.exit(1);
  }
}

void bootstrap();
