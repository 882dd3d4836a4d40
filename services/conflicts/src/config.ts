import path from 'node:path';
import { envDurationMs, envHttpUrl, envInt, envString, type Env } from '@takes/config';
import { sharedSettings, type SharedSettings } from '@takes/service-kit';

/** Every setting of the conflicts service, read once at start-up. */
export interface ConflictsConfig extends SharedSettings {
  httpPort: number;
  durable: string;
  maxInFlight: number;
  /**
   * How soon the review queue's place in the event stream is saved after batches that
   * changed nothing in the queue (most of them) moved it (ms). A batch that changes the
   * queue saves it at once, with its rows.
   */
  watermarkSaveMs: number;
  review: {
    /** The folder of the built review page (`npm run build` writes it to dist/review). */
    dir: string;
    /** The gateway the page calls (null: the page's own host on port 8080). */
    apiUrl: string | null;
  };
}

export const CONFLICTS_CONFIG = Symbol('CONFLICTS_CONFIG');

/** dist/review, beside dist/services where this file runs from (dist/services/conflicts/src/config.js). */
const BUILT_REVIEW_PAGE = path.resolve(__dirname, '../../../review');

export function loadConflictsConfig(env: Env = process.env): ConflictsConfig {
  return {
    ...sharedSettings(env),
    httpPort: envInt(env, 'TAKES_CONFLICTS_HTTP_PORT', 8083, { min: 0, max: 65535 }),
    durable: envString(env, 'TAKES_CONFLICTS_DURABLE', 'conflicts'),
    maxInFlight: envInt(env, 'TAKES_CONFLICTS_MAX_IN_FLIGHT', 200, { min: 1 }),
    watermarkSaveMs: envDurationMs(env, 'TAKES_CONFLICTS_WATERMARK_SAVE', 250),
    review: {
      dir: path.resolve(envString(env, 'TAKES_REVIEW_DIR', BUILT_REVIEW_PAGE)),
      apiUrl: envHttpUrl(env, 'TAKES_REVIEW_API_URL'),
    },
  };
}
