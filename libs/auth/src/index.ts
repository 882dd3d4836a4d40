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
export { newRefreshToken, hashRefreshToken, judgeRefresh, REFRESH_TTL_SECONDS, type RefreshVerdict } from './refresh-tokens';
