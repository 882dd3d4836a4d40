import { envDurationMs, envInt, envString, type Env } from '@takes/config';
import { sharedSettings, type SharedSettings } from '@takes/service-kit';

/** Every setting of the workflows service, read once at start-up. */
export interface WorkflowsConfig extends SharedSettings {
  httpPort: number;
  /** The durable JetStream consumer every replica shares. */
  durable: string;
  /** Events handled at once (and the consumer's max ack pending). */
  maxInFlight: number;
  /** How long JetStream waits for an ack before giving an event to another replica. */
  ackWaitMs: number;
  /** How often the timer loop looks for due timers and instances left running. */
  tickMs: number;
}

export const WORKFLOWS_CONFIG = Symbol('WORKFLOWS_CONFIG');

export function loadWorkflowsConfig(env: Env = process.env): WorkflowsConfig {
  return {
    ...sharedSettings(env),
    httpPort: envInt(env, 'TAKES_WORKFLOWS_HTTP_PORT', 8085, { min: 0, max: 65535 }),
    durable: envString(env, 'TAKES_WORKFLOWS_DURABLE', 'workflows'),
    maxInFlight: envInt(env, 'TAKES_WORKFLOWS_MAX_IN_FLIGHT', 50, { min: 1 }),
    ackWaitMs: envDurationMs(env, 'TAKES_WORKFLOWS_ACK_WAIT', 30_000),
    tickMs: envDurationMs(env, 'TAKES_WORKFLOWS_TICK', 500),
  };
}
