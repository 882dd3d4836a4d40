import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

/** Lines are written once this many bytes wait… */
const LOG_WRITE_BYTES = 4_096;
/** …or this often (ms), whichever comes first. */
const LOG_FLUSH_MS = 200;

/**
 * One JSON line per event, with the service name on every line, written to stdout
 * asynchronously and in blocks: lines wait until 4 KiB of them have gathered or 200 ms
 * have passed, so the gateway's line per request at info is not a write to stdout per
 * request (those writes were 6 % of its profiled CPU at 32 connections). What is left
 * is written out when the process exits (runService exits after its shutdown hooks).
 */
export function createLogger(service: string, level = process.env.TAKES_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, base: { service } }, pino.destination({ dest: 1, sync: false, minLength: LOG_WRITE_BYTES, periodicFlush: LOG_FLUSH_MS }));
}

/** Lets Nest's own messages go through pino instead of the console. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
