import { envInt, envString, type Env } from '@takes/config';
import { sharedSettings, type SharedSettings } from '@takes/service-kit';

/** Every setting of the conflicts service, read once at start-up. */
export interface ConflictsConfig extends SharedSettings {
  httpPort: number;
  durable: string;
  maxInFlight: number;
}

export const CONFLICTS_CONFIG = Symbol('CONFLICTS_CONFIG');

export function loadConflictsConfig(env: Env = process.env): ConflictsConfig {
  return {
    ...sharedSettings(env),
    httpPort: envInt(env, 'TAKES_CONFLICTS_HTTP_PORT', 8083, { min: 0, max: 65535 }),
    durable: envString(env, 'TAKES_CONFLICTS_DURABLE', 'conflicts'),
    maxInFlight: envInt(env, 'TAKES_CONFLICTS_MAX_IN_FLIGHT', 200, { min: 1 }),
  };
}
