import { Catch, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { LOGGER } from '../tokens';
import { toErrorResponse } from './error-shape';

/** Every error leaves the gateway in one shape, `{error: {code, message, details}}`; 500s are logged, never leaked. */
@Catch()
export class ErrorShapeFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly log: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { status, body } = toErrorResponse(error);
    if (status >= 500 && status !== 503) {
      this.log.error({ err: error, traceId: request.traceId, url: request.url }, 'request failed');
    }
    void reply.status(status).send(body);
  }
}
