import { envDurationMs, envInt, type Env } from '@takes/config';
import { sharedSettings, type SharedSettings } from '@takes/service-kit';

/** Every setting of the gateway, read once from the environment at start-up. */
export interface GatewayConfig extends SharedSettings {
  port: number;
  /** Signing secret for access tokens; when unset, one is made on first start and kept in the gateway schema. */
  jwtSecret: string | null;
  /** The app made on first start ('' = none). */
  defaultApp: string;
  bodyLimitBytes: number;
  /** Requests per second per user (or per IP before login), with a burst of twice that. */
  rateLimitPerSecond: number;
  syncMaxEdits: number;
  /** Every how long the metadata registry is reloaded in full, whatever it followed (ms). */
  metadataReloadMs: number;
  /** How long a read waits for the read tables to reach the client's last write (ms). */
  readWaitMs: number;
  /** Largest page of a list. */
  maxPerPage: number;
  pool: { max: number; acquireTimeoutMs: number };
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  return {
    ...sharedSettings(env),
    port: envInt(env, 'TAKES_PORT', 8080, { min: 0, max: 65535 }),
    jwtSecret: env.TAKES_JWT_SECRET ? env.TAKES_JWT_SECRET : null,
    defaultApp: env.TAKES_DEFAULT_APP ?? 'main',
    bodyLimitBytes: envInt(env, 'TAKES_BODY_LIMIT', 256 * 1024, { min: 1024 }),
    rateLimitPerSecond: envInt(env, 'TAKES_RATE_LIMIT', 500, { min: 1 }),
    syncMaxEdits: envInt(env, 'TAKES_SYNC_MAX_EDITS', 500, { min: 1 }),
    metadataReloadMs: envDurationMs(env, 'TAKES_METADATA_RELOAD', 30_000),
    readWaitMs: envDurationMs(env, 'TAKES_READ_WAIT', 2_000),
    maxPerPage: envInt(env, 'TAKES_MAX_PER_PAGE', 100, { min: 1, max: 10_000 }),
    pool: {
      max: envInt(env, 'TAKES_GATEWAY_POOL_MAX', 10, { min: 1 }),
      acquireTimeoutMs: envDurationMs(env, 'TAKES_DB_ACQUIRE_TIMEOUT', 2_000),
    },
  };
}
