import { createHash } from 'node:crypto';
import type { AppendCommand } from '@takes/contracts';

/** JSON with object keys sorted, so equal values always serialize the same way. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
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
  return createHash('sha256').update(canonicalJson(edit)).digest('base64url');
}

/** The fingerprint of a client's request: any JSON describing it, hashed in canonical form. */
export function requestFingerprint(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('base64url');
}
