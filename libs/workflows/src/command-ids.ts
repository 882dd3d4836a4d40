import { createHash } from 'node:crypto';

/**
 * The command id of a workflow step's writes (one command: the first write, the others
 * as its nested writes, so a step applies whole or not at all): the same instance, step
 * visit (`seq`: how many steps the instance took before it) and attempt always give the
 * same id, so a redelivered event or a restarted service resends the same command and the
 * event store answers with the first result instead of acting twice. A retry after a
 * failure is a new attempt, so a new id, judged again.
 */
export function workflowCommandId(instanceId: string, seq: number, stepId: string, attempt: number): string {
  return `wf:${instanceId}:${seq}:${stepId}:${attempt}`;
}

/**
 * The command id of a step's n-th signal (send_event or webhook action), sent after the
 * step's writes. It leaves out the attempt: after a failure, a retried step sends again
 * only the signals the store has not taken (the store answers those it took with their
 * first result), so each event is appended once.
 */
export function workflowSignalCommandId(instanceId: string, seq: number, stepId: string, signal: number): string {
  return `wf:${instanceId}:${seq}:${stepId}:signal:${signal}`;
}

/** The id of a record a create_record action makes: fixed by its instance, step visit and write (a UUID). */
export function createdRecordId(instanceId: string, seq: number, write: number): string {
  const hex = createHash('sha256').update(`${instanceId}:${seq}:${write}`).digest('hex');
  // UUID layout, version 8 (custom), RFC 4122 variant.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The user a workflow's writes carry: `workflow:<id>`, with the definition's roles. */
export function workflowUserId(workflowId: string): string {
  return `workflow:${workflowId}`;
}
