import { hashRefreshToken, newRefreshToken } from './refresh-tokens';

/**
 * Invite and password-reset tokens: random, sent once to the user, stored only as their
 * SHA-256 hash (as refresh tokens are), and good for one use before they expire.
 */
export function newOneTimeToken(): { token: string; hash: string } {
  return newRefreshToken();
}

export const hashOneTimeToken = hashRefreshToken;

export const INVITE_TTL_SECONDS = 72 * 3600;
export const RESET_TTL_SECONDS = 3600;

/** What presenting a one-time token means, given what is stored for its hash. */
export type OneTimeVerdict = 'valid' | 'used' | 'revoked' | 'expired' | 'unknown';

export interface StoredOneTimeToken {
  expires_at: Date;
  used_at: Date | null;
  revoked_at?: Date | null;
}

/** Used wins over revoked and expired: a token that did its job says so. */
export function judgeOneTimeToken(stored: StoredOneTimeToken | undefined, now = new Date()): OneTimeVerdict {
  if (!stored) return 'unknown';
  if (stored.used_at) return 'used';
  if (stored.revoked_at) return 'revoked';
  if (stored.expires_at.getTime() <= now.getTime()) return 'expired';
  return 'valid';
}

export function expiresAfter(ttlSeconds: number, now = new Date()): Date {
  return new Date(now.getTime() + ttlSeconds * 1000);
}
