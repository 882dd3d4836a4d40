import { TakesError, type ErrorDetail } from '@takes/contracts';
import { userAttributeProblems, type UserAttributes } from './user-attributes';

/**
 * An invite as stored: `status` is written when it is accepted or revoked, or closed as
 * expired when a new invite for the address replaces it; until then expiry is read from
 * the clock.
 */
export interface InviteState {
  status: 'pending' | 'accepted' | 'revoked' | 'expired';
  expires_at: Date;
}

export type InviteStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

/** The status an admin sees: a pending invite past its expiry is `expired`. */
export function inviteStatus(invite: InviteState, now = new Date()): InviteStatus {
  if (invite.status !== 'pending') return invite.status;
  return invite.expires_at.getTime() <= now.getTime() ? 'expired' : 'pending';
}

export interface InviteInput {
  email: string;
  roles: string[];
  /** What the user gets as attributes on accepting (what permission conditions name as `$user.<attribute>`). */
  attributes: UserAttributes;
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/** Trimmed and lower-cased, so one address has one pending invite and one user. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmailAddress(email: string): boolean {
  return EMAIL.test(email) && email.length <= 320;
}

function checkRoles(roles: unknown, details: ErrorDetail[]): string[] {
  if (roles === undefined) return [];
  if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string' || !r)) {
    details.push({ field: 'roles', rule: 'type', message: 'roles must be a list of names' });
    return [];
  }
  return [...new Set(roles as string[])];
}

function unknownFields(input: Record<string, unknown>, allowed: string[], details: ErrorDetail[]): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) details.push({ field: key, rule: 'unknown', message: `unknown field ${key}` });
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TakesError('INVALID_PAYLOAD', 'body must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * `{email, roles}` and nothing else: a body that tries to set the id, the token, the
 * expiry, `active` or a password hash is refused whole (mass assignment).
 */
export function parseInviteInput(body: unknown): InviteInput {
  const input = objectBody(body);
  const details: ErrorDetail[] = [];
  unknownFields(input, ['email', 'roles', 'attributes'], details);
  const email = typeof input.email === 'string' ? normalizeEmail(input.email) : '';
  if (!isEmailAddress(email)) details.push({ field: 'email', rule: 'format', message: 'email must be an address' });
  const roles = checkRoles(input.roles, details);
  if (input.attributes !== undefined) details.push(...userAttributeProblems(input.attributes));
  if (details.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid invite', details);
  return { email, roles, attributes: (input.attributes ?? {}) as UserAttributes };
}

export const MAX_BULK_INVITES = 500;

/** `{emails, roles}` for /invites/bulk: emails trimmed, lower-cased and deduplicated, in order. */
export function parseBulkInviteInput(body: unknown): { emails: string[]; roles: string[]; attributes: UserAttributes } {
  const input = objectBody(body);
  const details: ErrorDetail[] = [];
  unknownFields(input, ['emails', 'roles', 'attributes'], details);
  const roles = checkRoles(input.roles, details);
  if (input.attributes !== undefined) details.push(...userAttributeProblems(input.attributes));
  let emails: string[] = [];
  if (!Array.isArray(input.emails) || input.emails.length === 0 || input.emails.some((e) => typeof e !== 'string')) {
    details.push({ field: 'emails', rule: 'required', message: 'emails must be a non-empty list of addresses' });
  } else {
    emails = [...new Set((input.emails as string[]).map(normalizeEmail))];
    if (emails.includes('')) details.push({ field: 'emails', rule: 'blank', message: 'emails must not contain blank entries' });
    if (emails.length > MAX_BULK_INVITES) details.push({ field: 'emails', rule: 'max_items', message: `at most ${MAX_BULK_INVITES} emails at once` });
  }
  if (details.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid bulk invite', details);
  return { emails, roles, attributes: (input.attributes ?? {}) as UserAttributes };
}
