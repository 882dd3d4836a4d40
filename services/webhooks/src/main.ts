import { runService } from '@takes/service-kit';
import { loadWebhooksConfig } from './config';
import { WebhooksModule } from './webhooks.module';
import { NATS_CONNECTION } from './tokens';

void runService({
  name: 'webhooks',
  loadConfig: () => loadWebhooksConfig(),
  module: (config, logger) => WebhooksModule.forRoot(config, logger),
  httpPort: (config) => config.httpPort,
  rpc: { connection: NATS_CONNECTION, queue: 'webhooks', subjectPrefix: (c) => c.subjectPrefix, maxInFlight: (c) => c.maxInFlight },
});
