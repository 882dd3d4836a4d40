import { verifyAccessToken, type AccessClaims, type TokenKey } from './access-tokens';

export interface VerifiedTokensOptions {
  /** Most tokens remembered; the oldest is forgotten first (default 10,000). */
  maxEntries?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

/** As verifyAccessToken allows: a token is good until this long after its `exp`. */
const CLOCK_TOLERANCE_MS = 30_000;

/**
 * Access-token verification that remembers what it verified: a client sends the same
 * token with every request for 15 minutes, and checking its HMAC each time was a tenth of
 * the gateway's CPU per write. A token is taken from memory only if the very same string,
 * for the same audiences, passed the full check before and has not expired since; a token
 * that fails is checked in full every time. Access tokens cannot be revoked before they
 * expire anyway (refresh tokens can), so remembering one changes no answer.
 */
export function verifiedTokens(key: TokenKey, options: VerifiedTokensOptions = {}) {
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const known = new Map<string, AccessClaims>();
  return async function verify(token: string, audiences: string[]): Promise<AccessClaims> {
    const cacheKey = `${audiences.join(',')}\u0000${token}`;
    const hit = known.get(cacheKey);
    if (hit && hit.exp !== undefined && now() < hit.exp * 1000 + CLOCK_TOLERANCE_MS) return hit;
    if (hit) known.delete(cacheKey);
    const claims = await verifyAccessToken(key, token, audiences, { now: new Date(now()) });
    if (claims.exp !== undefined) {
      if (known.size >= maxEntries) known.delete(known.keys().next().value!);
      known.set(cacheKey, claims);
    }
    return claims;
  };
}
