import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '@takes/contracts';

/**
 * The answers Fastify and Node give before a route runs, in the error shape like every
 * other: a path parameter over the router's limit (414), a bad URL (400), headers over
 * Node's limit (431), a request that timed out (408), a body over the limit (413).
 */

/** Fastify's `frameworkErrors`: the router's refusals (a parameter over maxParamLength, a malformed URL). */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const message = status === 414 ? 'a part of the URL is longer than the limit' : 'the URL is not valid';
  void reply.status(status).send({ error: { code: ErrorCode.INVALID_PAYLOAD, message } });
}

/** Fastify's `clientErrorHandler`: what Node refuses while parsing a request, answered (when the socket still takes it) and closed. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request headers (or the URL) are larger than the limit']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request took too long to arrive']
        : [400, 'Bad Request', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code: ErrorCode.INVALID_PAYLOAD, message } });
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroySoon();
}

/** How much of a refused body is read (and dropped) so that its client gets the answer; past it, the connection is cut. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;
const DRAIN_LIMIT_MS = 10_000;

/**
 * A 413 is answered once the client has finished sending (the rest of its body read and
 * dropped, up to a bound), then the connection closes: answering mid-upload and closing
 * would leave the client with EPIPE instead of its answer.
 */
export function answerOversizeBodiesAfterUpload(fastify: FastifyInstance): void {
  fastify.addHook('onSend', async (request, reply) => {
    if (reply.statusCode !== 413 || request.raw.complete) return;
    void reply.header('connection', 'close');
    await drain(request.raw);
  });
}

function drain(raw: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    let read = 0;
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      raw.destroy();
      done();
    }, DRAIN_LIMIT_MS);
    raw.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > DRAIN_LIMIT_BYTES) {
        raw.destroy();
        done();
      }
    });
    raw.once('end', done);
    raw.once('close', done);
    raw.once('error', done);
    raw.resume();
  });
}
