import { createHash, randomBytes } from 'node:crypto';

/** A new opaque refresh token; only its hash is stored. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export const REFRESH_TTL_SECONDS = 7 * 24 * 3600;

/** What presenting a refresh token means, given what is stored for its hash. */
export type RefreshVerdict = 'rotate' | 'reuse' | 'expired' | 'unknown';

/**
 * Rotation with reuse detection: a live token is exchanged for a new one; a token that
 * was already exchanged or revoked being presented again means it leaked, so its whole
 * family is revoked.
 */
export function judgeRefresh(stored: { revoked_at: Date | null; expires_at: Date } | undefined, now = new Date()): RefreshVerdict {
  if (!stored) return 'unknown';
  if (stored.revoked_at) return 'reuse';
  if (stored.expires_at.getTime() <= now.getTime()) return 'expired';
  return 'rotate';
}
