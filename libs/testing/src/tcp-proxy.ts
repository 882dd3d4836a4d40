import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from './free-port';

export interface TcpProxy {
  port: number;
  /** How many connections it has accepted so far (each one a client's connect). */
  readonly accepted: number;
  /** Cuts every connection and refuses new ones, as if the server behind went down. */
  cut(): Promise<void>;
  /** Accepts connections again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a real server (PostgreSQL, NATS) so one test can take "the
 * server" away from the code under test without disturbing other suites.
 */
export async function createTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let accepted = 0;
  let server: Server | undefined;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        accepted += 1;
        const upstream = connect(targetPort, targetHost);
        sockets.add(client);
        sockets.add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await listen();
  return {
    port,
    get accepted() {
      return accepted;
    },
    cut: stop,
    restore: listen,
    close: stop,
  };
}
