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
      return coalesceWrites(await connect({
        servers: options.url,
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        pingInterval: 5_000,
        maxPingOut: 3,
        timeout: 2_000,
        // No stack capture per request: it costs more than the request itself under load.
        noAsyncTraces: true,
      }));
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw lastError instanceof Error ? lastError : new Error(`cannot connect to NATS at ${options.url}`);
}

/** The part of nats.js's connection internals that queues and writes protocol frames (nats 2.29). */
interface FrameQueue {
  outbound: { length(): number; size(): number; fill(buffer: Uint8Array, ...more: Uint8Array[]): void };
  pendingLimit: number;
  sendCommand(command: string | Uint8Array, ...payloads: Uint8Array[]): void;
  flushPending(): void;
}

const encoder = new TextEncoder();

/**
 * nats.js writes what it has queued at the end of the current microtasks: one socket
 * write (and one read on the server) per message sent from its own I/O callback, which
 * under load is every request, reply and ack. This defers that write to the end of the
 * event loop's turn (setImmediate), so everything queued in one turn leaves in one write.
 * Order is unchanged (one buffer), a full buffer is still written at once, flush() and
 * pings write at once, and close() first writes what is queued. Left as it is when the
 * internals are not the expected ones.
 */
export function coalesceWrites(nc: NatsConnection): NatsConnection {
  const queue = (nc as unknown as { protocol?: Partial<FrameQueue> }).protocol;
  if (!queue || typeof queue.sendCommand !== 'function' || typeof queue.flushPending !== 'function' || !queue.outbound || typeof queue.pendingLimit !== 'number') {
    return nc;
  }
  const frames = queue as FrameQueue;
  frames.sendCommand = (command, ...payloads) => {
    const empty = frames.outbound.length() === 0;
    frames.outbound.fill(typeof command === 'string' ? encoder.encode(command) : command, ...payloads);
    if (empty) setImmediate(() => frames.flushPending());
    else if (frames.outbound.size() >= frames.pendingLimit) frames.flushPending();
  };
  // close() does not write what is still queued; what was sent before it must still leave.
  const close = nc.close.bind(nc);
  nc.close = () => {
    frames.flushPending();
    return close();
  };
  return nc;
}
