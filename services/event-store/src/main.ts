import { runService } from '@takes/service-kit';
import { loadEventStoreConfig } from './config';
import { EventStoreModule } from './event-store.module';
import { NATS_CONNECTION } from './tokens';

void runService({
  name: 'event-store',
  loadConfig: () => loadEventStoreConfig(),
  module: (config, logger) => EventStoreModule.forRoot(config, logger),
  httpPort: (config) => config.httpPort,
  rpc: { connection: NATS_CONNECTION, queue: 'event-store', subjectPrefix: (c) => c.subjectPrefix, maxInFlight: (c) => c.maxInFlight },
});
