import { runService } from '@takes/service-kit';
import { loadProjectorConfig } from './config';
import { Projector } from './projection/projector';
import { ProjectorModule } from './projector.module';
import { NATS_CONNECTION } from './tokens';

void runService({
  name: 'projector',
  loadConfig: () => loadProjectorConfig(),
  module: (config, logger) => ProjectorModule.forRoot(config, logger),
  httpPort: (config) => config.httpPort,
  rpc: {
    connection: NATS_CONNECTION,
    queue: 'projector',
    subjectPrefix: (c) => c.subjectPrefix,
    maxInFlight: (c) => c.maxInFlight,
    // Rebuild requests go to the active replica only: a standby one subscribes once it leads.
    startWhen: (app) => app.get(Projector).leading,
  },
});
