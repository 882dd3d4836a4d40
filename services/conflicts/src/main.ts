import { runService } from '@takes/service-kit';
import { loadConflictsConfig } from './config';
import { ConflictsModule } from './conflicts.module';
import { serveReviewPage } from './review/serve-review-page';
import { NATS_CONNECTION } from './tokens';

void runService({
  name: 'conflicts',
  loadConfig: () => loadConflictsConfig(),
  module: (config, logger) => ConflictsModule.forRoot(config, logger),
  httpPort: (config) => config.httpPort,
  configureHttp: (app, config) => serveReviewPage(app, config),
  rpc: { connection: NATS_CONNECTION, queue: 'conflicts', subjectPrefix: (c) => c.subjectPrefix, maxInFlight: (c) => c.maxInFlight },
});
