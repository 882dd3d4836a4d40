import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { refusedAddress, type AddressAllowList } from '@takes/webhooks';

/** Resolves a host name to its addresses (dns.lookup by default; tests give their own). */
export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolve: Resolve = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export interface OutgoingRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Bytes of the response body read; the connection is closed after them. */
  maxResponseBytes: number;
  allow: AddressAllowList;
  resolve?: Resolve;
}

export type OutgoingResult =
  | { kind: 'answered'; status: number; headers: http.IncomingHttpHeaders; body: Buffer; durationMs: number }
  | { kind: 'refused'; error: string; durationMs: 0 }
  | { kind: 'failed'; error: string; durationMs: number };

/**
 * One HTTP request to a webhook's URL, safe against server-side request forgery: the
 * host is resolved once, every address it resolves to is checked (loopback, private,
 * link-local, metadata... refused unless allowed), and the connection is made to the
 * checked address (not resolved again, so a second answer cannot point elsewhere).
 * Redirects are not followed (a 3xx is an answer like any other); the response body is
 * read up to a bound; the whole exchange has a time limit.
 */
export async function sendOutgoing(request: OutgoingRequest): Promise<OutgoingResult> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { kind: 'refused', error: 'the url is not a URL', durationMs: 0 };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { kind: 'refused', error: 'only http and https are sent to', durationMs: 0 };
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const started = Date.now();
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await (request.resolve ?? systemResolve)(host);
  } catch (error) {
    return { kind: 'failed', error: `cannot resolve ${host}: ${(error as Error).message}`, durationMs: Date.now() - started };
  }
  if (addresses.length === 0) return { kind: 'failed', error: `cannot resolve ${host}`, durationMs: Date.now() - started };
  for (const { address } of addresses) {
    const why = refusedAddress(address, request.allow);
    if (why) return { kind: 'refused', error: `refused: ${host} resolves to ${why}`, durationMs: 0 };
  }
  const pinned = addresses[0];
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  return new Promise<OutgoingResult>((resolve) => {
    let settled = false;
    const finish = (result: OutgoingResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const transport = url.protocol === 'https:' ? https : http;
    const req = transport.request(url, { method: request.method, headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) }, lookup, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => finish({ kind: 'answered', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), durationMs: Date.now() - started });
      res.on('data', (chunk: Buffer) => {
        if (size >= request.maxResponseBytes) return;
        const room = request.maxResponseBytes - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size >= request.maxResponseBytes) {
          done();
          res.destroy();
        }
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    const timer = setTimeout(() => {
      finish({ kind: 'failed', error: `timed out after ${request.timeoutMs} ms`, durationMs: Date.now() - started });
      req.destroy();
    }, request.timeoutMs);
    req.on('error', (error) => finish({ kind: 'failed', error: error.message, durationMs: Date.now() - started }));
    req.end(request.body);
  });
}
