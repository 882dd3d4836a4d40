import { runService } from '@takes/service-kit';
import { loadWorkflowsConfig } from './config';
import { NATS_CONNECTION } from './tokens';
import { WorkflowsModule } from './workflows.module';

void runService({
  name: 'workflows',
  loadConfig: () => loadWorkflowsConfig(),
  module: (config, logger) => WorkflowsModule.forRoot(config, logger),
  httpPort: (config) => config.httpPort,
  rpc: { connection: NATS_CONNECTION, queue: 'workflows', subjectPrefix: (c) => c.subjectPrefix, maxInFlight: (c) => c.maxInFlight },
});
