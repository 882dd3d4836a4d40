import { TakesError, type ErrorBody, type TakesEvent, type WebhookRequest } from '@takes/contracts';
import type { RecordState } from './record-state';
import type { UniqueValue } from './unique-values';
import type { RecordCreate } from './record-checks';

/** The entity that holds metadata: entity_id `entity:<name>`, `relation:<name>`, ... */
export const META_ENTITY = '_meta';

/** The head of a record's stream as the store holds it (null version 0 = no stream yet). */
export interface StreamHead extends RecordState {
  lastCommitTs: string | null;
  /** The global position of the stream's last event (what a write that appends nothing answers). */
  lastPosition?: number;
}

/**
 * An event decided but not yet stamped by the store: the envelope's fields that decide
 * fills (id, position and commit_ts come at append; branch and submit may still be open).
 */
export type PendingEvent = Pick<TakesEvent, 'type' | 'version' | 'prior_version' | 'base_version' | 'patch' | 'submitted' | 'contested'> & {
  branch_ts: string | null;
  submit_ts: string | null;
  /** lost_update: the values the write destroyed, by JSON Pointer. */
  overwritten?: Record<string, unknown>;
  /** shelved: why the edit was not applied (the refusal an online write would have got). */
  reason?: ErrorBody;
  /** signaled: the send_event action's name. */
  signal?: string;
  /** webhook_requested: the call a webhook action asked for. */
  webhook?: WebhookRequest;
};

/**
 * What a write's transitions ask for after commit: a state machine's send_event (a
 * `signaled` event) or webhook (a `webhook_requested` event, delivered by the webhooks
 * service), and the same two actions of a workflow step.
 */
export type AfterCommitAction =
  | { readonly type: 'send_event'; readonly event: string }
  | { readonly type: 'webhook'; readonly request: Omit<WebhookRequest, 'transition'> & { transition?: Omit<NonNullable<WebhookRequest['transition']>, 'before_version'> } };

/**
 * The events of a write's after-commit actions, after its last event, in order: each
 * changes nothing and moves the version on by one. A webhook's transition names the
 * version the record had before the write (`after.prior_version`), so its delivery can
 * show the record before and after.
 */
export function afterCommitEvents(after: PendingEvent, actions: readonly AfterCommitAction[] | undefined): PendingEvent[] {
  return (actions ?? []).map((action, i) => {
    const event = {
      version: after.version + 1 + i,
      prior_version: after.version + i,
      base_version: after.version + i,
      patch: [],
      submitted: {},
      contested: [],
      branch_ts: after.branch_ts,
      submit_ts: after.submit_ts,
    };
    if (action.type === 'send_event') return { ...event, type: 'signaled', signal: action.event };
    const { transition, ...request } = action.request;
    return { ...event, type: 'webhook_requested', webhook: { ...request, ...(transition ? { transition: { ...transition, before_version: after.prior_version } } : {}) } };
  });
}

/**
 * What a decider answers: events to append (with the record's next state, and the
 * unique values that state takes which the head did not hold, for the store to reserve),
 * or a rejection.
 */
export type Decision =
  | {
      kind: 'append';
      events: PendingEvent[];
      next: RecordState;
      /**
       * `unchanged`: the write changed nothing, no event (events is empty; next is the
       * head); `overwritten`: history off, a stale write written over values changed
       * since its base (a `lost_update` event carrying them).
       */
      outcome: 'applied' | 'merged' | 'shelved' | 'unchanged' | 'overwritten';
      contested: string[];
      reserve: UniqueValue[];
      /** Records the write's transitions create in the same command (create_record actions), in order. */
      creates?: readonly RecordCreate[];
    }
  | { kind: 'reject'; error: TakesError };

/** A decision to append. */
export type AppendDecision = Extract<Decision, { kind: 'append' }>;

export interface DecideLimits {
  /** Largest event, as JSON, the store accepts (512 KiB by default). */
  maxEventBytes: number;
}

export const DEFAULT_LIMITS: DecideLimits = { maxEventBytes: 512 * 1024 };

/** Room for the envelope's own fields (ids, timestamps, user) around patch and submitted. */
const ENVELOPE_BYTES = 1024;

export function reject(code: TakesError['code'], message: string, details?: TakesError['details']): Decision {
  return { kind: 'reject', error: new TakesError(code, message, details) };
}

/** Refuses a decision whose events are over the size limit (as JSON). */
export function checkSize(decision: Decision, limits: DecideLimits): Decision {
  if (decision.kind === 'reject') return decision;
  for (const event of decision.events) {
    const bytes = Buffer.byteLength(JSON.stringify(event)) + ENVELOPE_BYTES;
    if (bytes > limits.maxEventBytes) {
      return reject('INVALID_PAYLOAD', `the event would be ${bytes} bytes; the limit is ${limits.maxEventBytes}`, [
        { rule: 'max_event_bytes', message: `events are limited to ${limits.maxEventBytes} bytes of JSON` },
      ]);
    }
  }
  return decision;
}

/** One event on top of the head, as a fresh (not stale) decision makes it. */
export function nextEvent(
  head: StreamHead | null,
  fields: Pick<PendingEvent, 'type' | 'base_version' | 'patch' | 'submitted'> & { branch_ts?: string | null; submit_ts?: string | null },
): PendingEvent {
  const version = head?.version ?? 0;
  return {
    type: fields.type,
    version: version + 1,
    prior_version: version,
    base_version: fields.base_version,
    patch: fields.patch,
    submitted: fields.submitted,
    contested: [],
    branch_ts: fields.branch_ts ?? null,
    submit_ts: fields.submit_ts ?? null,
  };
}
