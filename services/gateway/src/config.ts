import { envDurationMs, envInt, envString, type Env } from '@takes/config';
import { INVITE_TTL_SECONDS, RESET_TTL_SECONDS } from '@takes/auth';
import { DEFAULT_RETRY_POLICY, parseEnvAllowList, type EnvAllowList, type RetryPolicy } from '@takes/email';
import { sharedSettings, type SharedSettings } from '@takes/service-kit';

/** Every setting of the gateway, read once from the environment at start-up. */
export interface GatewayConfig extends SharedSettings {
  port: number;
  /** Signing secret for access tokens; when unset, one is made on first start and kept in the gateway schema. */
  jwtSecret: string | null;
  /** The app made on first start ('' = none). */
  defaultApp: string;
  bodyLimitBytes: number;
  /** Origins whose pages may call the API from a browser (`*`: any; tokens travel as bearer headers, never cookies). */
  corsOrigins: '*' | string[];
  /** Requests per second per user (or per IP before login), with a burst of twice that. */
  rateLimitPerSecond: number;
  syncMaxEdits: number;
  /** Every how long the metadata registry is reloaded in full, whatever it followed (ms). */
  metadataReloadMs: number;
  /** How long a read waits for the read tables to reach the client's last write (ms). */
  readWaitMs: number;
  /** Largest page of a list. */
  maxPerPage: number;
  pool: { max: number; acquireTimeoutMs: number };
  invites: {
    ttlMs: number;
    /** Link put in invite mails as `{{accept_url}}`, with `{{token}}` and `{{app}}` filled in ('' = none; the mail carries the token). */
    acceptUrl: string;
  };
  resets: {
    ttlMs: number;
    /** Link put in reset mails as `{{reset_url}}`, with `{{token}}` and `{{app}}` filled in. */
    resetUrl: string;
    /** forgot-password requests per hour for one address (beyond: answered the same, nothing sent). */
    perEmailPerHour: number;
    /** forgot-password requests per hour from one IP address (beyond: 429). */
    perIpPerHour: number;
  };
  email: {
    /** Environment variables provider configs may name as `{{env.VAR}}`. */
    envAllow: EnvAllowList;
    /** How often the sender looks for mail that is due (ms); new mail is sent at once. */
    pollMs: number;
    /** How long one SMTP connection may take at each step (ms). */
    sendTimeoutMs: number;
    retry: RetryPolicy;
  };
}

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  return {
    ...sharedSettings(env),
    port: envInt(env, 'TAKES_PORT', 8080, { min: 0, max: 65535 }),
    corsOrigins: parseCorsOrigins(envString(env, 'TAKES_CORS_ORIGINS', '*')),
    jwtSecret: env.TAKES_JWT_SECRET ? env.TAKES_JWT_SECRET : null,
    defaultApp: env.TAKES_DEFAULT_APP ?? 'main',
    bodyLimitBytes: envInt(env, 'TAKES_BODY_LIMIT', 256 * 1024, { min: 1024 }),
    rateLimitPerSecond: envInt(env, 'TAKES_RATE_LIMIT', 500, { min: 1 }),
    syncMaxEdits: envInt(env, 'TAKES_SYNC_MAX_EDITS', 500, { min: 1 }),
    metadataReloadMs: envDurationMs(env, 'TAKES_METADATA_RELOAD', 30_000),
    readWaitMs: envDurationMs(env, 'TAKES_READ_WAIT', 2_000),
    maxPerPage: envInt(env, 'TAKES_MAX_PER_PAGE', 100, { min: 1, max: 10_000 }),
    pool: {
      max: envInt(env, 'TAKES_GATEWAY_POOL_MAX', 10, { min: 1 }),
      acquireTimeoutMs: envDurationMs(env, 'TAKES_DB_ACQUIRE_TIMEOUT', 2_000),
    },
    invites: {
      ttlMs: envDurationMs(env, 'TAKES_INVITE_TTL', INVITE_TTL_SECONDS * 1000),
      acceptUrl: envString(env, 'TAKES_INVITE_ACCEPT_URL', ''),
    },
    resets: {
      ttlMs: envDurationMs(env, 'TAKES_RESET_TTL', RESET_TTL_SECONDS * 1000),
      resetUrl: envString(env, 'TAKES_RESET_URL', ''),
      perEmailPerHour: envInt(env, 'TAKES_RESET_PER_EMAIL_HOURLY', 5, { min: 1 }),
      perIpPerHour: envInt(env, 'TAKES_RESET_PER_IP_HOURLY', 30, { min: 1 }),
    },
    email: {
      envAllow: parseEnvAllowList(env.TAKES_EMAIL_ENV_ALLOW),
      pollMs: envDurationMs(env, 'TAKES_EMAIL_POLL', 5_000),
      sendTimeoutMs: envDurationMs(env, 'TAKES_EMAIL_SEND_TIMEOUT', 15_000),
      retry: {
        maxAttempts: envInt(env, 'TAKES_EMAIL_MAX_ATTEMPTS', DEFAULT_RETRY_POLICY.maxAttempts, { min: 1 }),
        baseMs: envDurationMs(env, 'TAKES_EMAIL_RETRY_BASE', DEFAULT_RETRY_POLICY.baseMs),
        maxMs: envDurationMs(env, 'TAKES_EMAIL_RETRY_MAX', DEFAULT_RETRY_POLICY.maxMs),
      },
    },
  };
}

/** `*` or a comma-separated list of origins (`https://review.example.com`); an empty list lets no page call the API. */
export function parseCorsOrigins(value: string): '*' | string[] {
  const trimmed = value.trim();
  if (trimmed === '*') return '*';
  return trimmed
    .split(',')
    .map((origin) => origin.trim().replace(/\/$/, ''))
    .filter((origin) => origin !== '');
}
