import type { ErrorDetail } from '@takes/contracts';

export const MIN_PASSWORD_LENGTH = 8;
/** argon2 takes any length; a bound keeps one request from hashing megabytes. */
export const MAX_PASSWORD_LENGTH = 1024;

/** The one password rule of users, invites and resets; empty when the password is acceptable. */
export function passwordProblems(password: unknown, field = 'password'): ErrorDetail[] {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    return [{ field, rule: 'min_length', message: `${field} must be at least ${MIN_PASSWORD_LENGTH} characters` }];
  }
  if (password.length > MAX_PASSWORD_LENGTH) return [{ field, rule: 'max_length', message: `${field} must be at most ${MAX_PASSWORD_LENGTH} characters` }];
  return [];
}
