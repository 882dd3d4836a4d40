import { connect, type NatsConnection } from 'nats';

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

export interface NatsOptions {
  url: string;
  /** Shown in the server's connection list (`nats server report connections`). */
  name: string;
  /** How long to try the first connection before giving up (ms). */
  connectTimeoutMs?: number;
}

/**
 * Connects to NATS and keeps reconnecting forever after a first success, so a NATS
 * restart is a pause, not a crash. The first connection is retried until the timeout.
 */
export async function connectNats(options: NatsOptions): Promise<NatsConnection> {
  const deadline = Date.now() + (options.connectTimeoutMs ?? 10_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await connect({
        servers: options.url,
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        pingInterval: 5_000,
        maxPingOut: 3,
        timeout: 2_000,
        // No stack capture per request: it costs more than the request itself under load.
        noAsyncTraces: true,
      });
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw lastError instanceof Error ? lastError : new Error(`cannot connect to NATS at ${options.url}`);
}
