import { runService } from '@takes/service-kit';
import { loadGatewayConfig } from './config';
import { GatewayModule } from './gateway.module';
import { configureHttp } from './http/configure-http';
import { clientErrorHandler, frameworkErrors } from './http/edge-errors';

void runService({
  name: 'gateway',
  loadConfig: () => loadGatewayConfig(),
  module: (config, logger) => GatewayModule.forRoot(config, logger),
  httpPort: (config) => config.port,
  fastify: (config) => ({ bodyLimit: config.bodyLimitBytes, trustProxy: true, frameworkErrors, clientErrorHandler }),
  configureHttp,
  ownBodyParsers: true,
});
