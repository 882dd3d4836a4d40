import type { Msg } from 'nats';
import { ErrorCode, MAX_MESSAGE_DEPTH, findUnstorableText, isTakesError, jsonDepth, type ErrorBody, type Reply, type TakesError } from '@takes/contracts';

/** How a responder turns failures into error replies. */
export interface AnswerOptions {
  /** Called for unexpected failures (anything but a TakesError or a `knownError`), answered INTERNAL_ERROR. */
  onError?: (error: unknown, subject: string) => void;
  /** Failures that are not bugs, as the TakesError to answer with; undefined for the others. */
  knownError?: (error: unknown) => TakesError | undefined;
}

/**
 * Answers one request: parses its JSON body, refuses one that nests deeper than
 * MAX_MESSAGE_DEPTH or holds text PostgreSQL cannot store (a NUL, a lone surrogate) with
 * INVALID_PAYLOAD, so no handler meets it, runs `handle`, and replies `{data}` with
 * what it returned, or `{error}`: a thrown TakesError's body, a `knownError`, or else
 * INTERNAL_ERROR (reported to `onError`; no stack or SQL is ever sent).
 */
export async function answerRequest(msg: Msg, handle: (body: unknown) => Promise<unknown>, options: AnswerOptions): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(msg.data).toString('utf8'));
  } catch {
    respond(msg, { error: { code: ErrorCode.INVALID_PAYLOAD, message: 'message body is not JSON' } }, options);
    return;
  }
  const refusal = messageRefusal(body);
  if (refusal) {
    respond(msg, { error: { code: ErrorCode.INVALID_PAYLOAD, message: refusal } }, options);
    return;
  }
  let reply: Reply<unknown>;
  try {
    reply = { data: await handle(body) };
  } catch (error) {
    reply = { error: errorBody(error, msg.subject, options) };
  }
  respond(msg, reply, options);
}

export function respond(msg: Msg, reply: Reply<unknown>, options: AnswerOptions): void {
  try {
    msg.respond(Buffer.from(JSON.stringify(reply)));
  } catch (error) {
    options.onError?.(error, msg.subject);
  }
}

function errorBody(error: unknown, subject: string, options: AnswerOptions): ErrorBody {
  if (isTakesError(error)) return error.toBody();
  const known = options.knownError?.(error);
  if (known) return known.toBody();
  options.onError?.(error, subject);
  return { code: ErrorCode.INTERNAL_ERROR, message: 'internal error' };
}

/** Why a parsed message is refused before any handler sees it, or undefined. */
export function messageRefusal(body: unknown): string | undefined {
  if (jsonDepth(body, MAX_MESSAGE_DEPTH) > MAX_MESSAGE_DEPTH) return `message nests deeper than ${MAX_MESSAGE_DEPTH} levels`;
  const text = findUnstorableText(body);
  return text && `message holds ${text.reason} at ${text.pointer || '/'}`;
}
