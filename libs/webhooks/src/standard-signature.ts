import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The prefix of an endpoint's secret (Standard Webhooks); the rest is base64 of the key. */
export const SECRET_PREFIX = 'whsec_';
/** Random bytes in a new secret (the spec asks for 24 to 64). */
export const SECRET_BYTES = 32;

/** A new endpoint secret, `whsec_<base64 of 32 random bytes>`. */
export function newSecret(bytes: Buffer = randomBytes(SECRET_BYTES)): string {
  return `${SECRET_PREFIX}${bytes.toString('base64')}`;
}

/** The HMAC key of a secret: the base64 after `whsec_`. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/**
 * The `webhook-id` of one event sent to one endpoint: made from the pair alone, so it is
 * the same on every retry, after a restart, from either replica, and on a replay.
 */
export function webhookMessageId(eventId: string, webhookId: string): string {
  return `msg_${createHash('sha256').update(`${eventId}\u0000${webhookId}`).digest('base64url').slice(0, 27)}`;
}

/** One signature: `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The `webhook-signature` header: one signature per secret in force (two during a rotation), space-separated. */
export function signatureHeader(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets.map((secret) => signature(secret, id, timestamp, body)).join(' ');
}

/** The three Standard Webhooks headers of one attempt (timestamp: unix seconds of the attempt). */
export function standardHeaders(secrets: readonly string[], id: string, timestamp: number, body: string): Record<string, string> {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader(secrets, id, timestamp, body) };
}

/** Whether one of the header's signatures is the secret's (the receiver's check, for sync hook answers and tests). */
export function hasValidSignature(secret: string, header: string, id: string, timestamp: number, body: string): boolean {
  const expected = Buffer.from(signature(secret, id, timestamp, body));
  return header.split(' ').some((part) => {
    const given = Buffer.from(part);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
