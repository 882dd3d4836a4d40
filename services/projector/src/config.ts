import { envInt, envString, type Env } from '@takes/config';
import { sharedSettings, type SharedSettings } from '@takes/service-kit';

/** Every setting of the projector, read once at start-up. */
export interface ProjectorConfig extends SharedSettings {
  httpPort: number;
  /** The durable JetStream consumer shared by the projector's replicas. */
  durable: string;
  /** Events applied in one transaction at most. */
  batchSize: number;
  poolMax: number;
  /** Requests (rebuild, rebuild status) handled at once over NATS. */
  maxInFlight: number;
  /** A rebuild reads the event store this many events a request (at most 1000). */
  rebuildPage: number;
  /** A rebuild applies and writes this many events in one transaction. */
  rebuildChunk: number;
}

export const PROJECTOR_CONFIG = Symbol('PROJECTOR_CONFIG');

export function loadProjectorConfig(env: Env = process.env): ProjectorConfig {
  return {
    ...sharedSettings(env),
    httpPort: envInt(env, 'TAKES_PROJECTOR_HTTP_PORT', 8082, { min: 0, max: 65535 }),
    durable: envString(env, 'TAKES_PROJECTOR_DURABLE', 'projector'),
    batchSize: envInt(env, 'TAKES_PROJECTOR_BATCH', 500, { min: 1, max: 10_000 }),
    poolMax: envInt(env, 'TAKES_PROJECTOR_POOL_MAX', 5, { min: 1 }),
    maxInFlight: envInt(env, 'TAKES_PROJECTOR_MAX_IN_FLIGHT', 64, { min: 1 }),
    rebuildPage: envInt(env, 'TAKES_REBUILD_PAGE', 1000, { min: 1, max: 1000 }),
    rebuildChunk: envInt(env, 'TAKES_REBUILD_CHUNK', 5000, { min: 1, max: 100_000 }),
  };
}
