import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a test receiver got. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What a path answers to its n-th request (0-based): a status with headers and body, or 'hang' (never answers). */
export type Answer = (n: number) => { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A real HTTP server for webhook tests: records every request, answers by path. */
export interface WebhookReceiver {
  port: number;
  url(path: string): string;
  answer(path: string, answer: Answer): void;
  received(path: string): Received[];
  /** Stops listening (connections refused) until start() again, on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  const answers = new Map<string, Answer>();
  const requests = new Map<string, Received[]>();
  const hanging = new Set<http.ServerResponse>();
  let server: http.Server | undefined;
  let listening = port;

  const listen = async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        const list = requests.get(path) ?? [];
        list.push({ path, headers: req.headers, body, at: Date.now() });
        requests.set(path, list);
        const ok: Answer = () => ({ status: 200 });
        const answer = (answers.get(path) ?? ok)(list.length - 1);
        if (answer === 'hang') {
          hanging.add(res);
          return;
        }
        res.writeHead(answer.status, answer.headers).end(answer.body ?? 'ok');
      });
    });
    await new Promise<void>((resolve) => server!.listen(listening, '127.0.0.1', resolve));
    listening = (server!.address() as AddressInfo).port;
  };
  const stop = async () => {
    for (const res of hanging) res.destroy();
    hanging.clear();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  };
  await listen();
  return {
    get port() {
      return listening;
    },
    url: (path) => `http://127.0.0.1:${listening}${path}`,
    answer: (path, answer) => answers.set(path, answer),
    received: (path) => requests.get(path) ?? [],
    stop,
    start: listen,
    close: stop,
  };
}
