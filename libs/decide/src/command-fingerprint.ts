import { hash } from 'node:crypto';
import type { AppendCommand } from '@takes/contracts';

/**
 * JSON with object keys sorted, so equal values always serialize the same way. Built
 * with one string and plain loops: every write is fingerprinted, in the gateway and
 * again in the event store.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

/**
 * What makes two sends of one command id "the same body": everything the client said
 * about the edit. The user is part of the idempotency key itself, and the schema
 * version of the message is not part of the edit. When the command carries the
 * fingerprint of the client's request (`request_hash`), that is it: values the gateway
 * made (generated keys, a nested write's plan) may differ between two sends.
 */
export function commandFingerprint(command: AppendCommand): string {
  if (command.request_hash) return command.request_hash;
  const { v: _v, user: _user, ...edit } = command;
  return hash('sha256', canonicalJson(edit), 'base64url');
}

/** The fingerprint of a client's request: any JSON describing it, hashed in canonical form. */
export function requestFingerprint(request: unknown): string {
  return hash('sha256', canonicalJson(request), 'base64url');
}
