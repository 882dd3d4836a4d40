export { hashPassword, verifyPassword } from './passwords';
export {
  issueAccessToken,
  verifyAccessToken,
  tokenKey,
  PLATFORM_AUDIENCE,
  type AccessClaims,
  type UserAttribute,
  type TokenKey,
} from './access-tokens';
export { verifiedTokens, type VerifiedTokensOptions } from './verified-tokens';
export { newRefreshToken, hashRefreshToken, judgeRefresh, REFRESH_TTL_SECONDS, type RefreshVerdict } from './refresh-tokens';
export {
  newOneTimeToken,
  hashOneTimeToken,
  judgeOneTimeToken,
  expiresAfter,
  INVITE_TTL_SECONDS,
  RESET_TTL_SECONDS,
  type OneTimeVerdict,
  type StoredOneTimeToken,
} from './one-time-tokens';
export {
  inviteStatus,
  parseInviteInput,
  parseBulkInviteInput,
  normalizeEmail,
  isEmailAddress,
  MAX_BULK_INVITES,
  type InviteInput,
  type InviteState,
  type InviteStatus,
} from './invites';
export { passwordProblems, MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH } from './password-rules';
export { userAttributeProblems, type UserAttributes } from './user-attributes';
