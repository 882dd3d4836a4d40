import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import { TakesError } from '@takes/contracts';

/** The audience of platform tokens; app tokens carry the app's name. */
export const PLATFORM_AUDIENCE = '_platform';
export const ISSUER = 'takes';
/** The one algorithm accepted: tokens with `alg: none` or any other are refused. */
const ALGORITHM = 'HS256';

export interface AccessClaims {
  sub: string;
  roles: string[];
  /** The app the token is for, or `_platform`. */
  aud: string;
  email?: string;
  /** The user's attributes (claim `attrs`), which permission conditions name as `$user.<attribute>`. */
  attributes?: Record<string, UserAttribute>;
  /** When the token expires (seconds since the epoch). */
  exp?: number;
}

/** A user attribute: a string, number or boolean, or a list of them. */
export type UserAttribute = string | number | boolean | (string | number | boolean)[];

function isAttribute(value: unknown): value is UserAttribute {
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
  return scalar(value) || (Array.isArray(value) && value.every(scalar));
}

/** The `attrs` claim as attributes: only well-formed entries are kept. */
function attributesClaim(value: unknown): Record<string, UserAttribute> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value).filter(([key, v]) => /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key) && isAttribute(v));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

export interface TokenKey {
  /** Made once: building the key for every request costs more than checking the signature. */
  secret: KeyObject;
}

export function tokenKey(secret: string): TokenKey {
  if (secret.length < 32) throw new Error('the token secret must be at least 32 characters');
  return { secret: createSecretKey(Buffer.from(secret, 'utf8')) };
}

export async function issueAccessToken(key: TokenKey, claims: AccessClaims, ttlSeconds = 15 * 60, now = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  const attributes = claims.attributes && Object.keys(claims.attributes).length > 0 ? { attrs: claims.attributes } : {};
  return new SignJWT({ roles: claims.roles, ...(claims.email ? { email: claims.email } : {}), ...attributes })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(claims.sub)
    .setAudience(claims.aud)
    .setIssuer(ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(key.secret);
}

/**
 * Verifies an access token for one of the accepted audiences: signature (HS256 only),
 * issuer, expiry (with a small clock tolerance) and audience. Anything wrong is
 * UNAUTHORIZED, with a message that says what without leaking the token.
 */
export async function verifyAccessToken(
  key: TokenKey,
  token: string,
  audiences: string[],
  options: { clockToleranceSeconds?: number; now?: Date } = {},
): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, key.secret, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: audiences,
      clockTolerance: options.clockToleranceSeconds ?? 30,
      currentDate: options.now,
      requiredClaims: ['sub', 'exp', 'iat', 'aud'],
    });
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud!;
    const attributes = attributesClaim(payload.attrs);
    return { sub: payload.sub!, roles, aud, email: typeof payload.email === 'string' ? payload.email : undefined, ...(attributes ? { attributes } : {}), exp: payload.exp };
  } catch (error) {
    const reason =
      error instanceof errors.JWTExpired ? 'token expired'
      : error instanceof errors.JWTClaimValidationFailed ? `token ${error.claim} is not valid here`
      : 'invalid token';
    throw new TakesError('UNAUTHORIZED', reason);
  }
}
