import { TakesError, type ErrorDetail } from '@takes/contracts';
import { envRefsIn, isEnvAllowed, isEnvRef, type EnvAllowList } from './env-refs';

/** Rocket's `smtp` provider config. `password` may only be a `{{env.VAR}}` reference. */
export interface SmtpConfig {
  host: string;
  port: number;
  /** true: TLS required (implicit on port 465, STARTTLS otherwise); false: plain SMTP. */
  tls: boolean;
  username?: string;
  password?: string;
  from: string;
  from_name?: string;
}

/** A row of `/_admin/email/providers` as an admin writes it. */
export interface EmailProviderInput {
  name: string;
  provider: 'smtp';
  config: SmtpConfig;
  priority: number;
  active: boolean;
}

const PROVIDERS = ['smtp'];
const SMTP_KEYS = ['host', 'port', 'tls', 'username', 'password', 'from', 'from_name'];
const SECRET_KEYS = ['password'];

function checkSmtpConfig(config: unknown, allow: EnvAllowList, details: ErrorDetail[]): SmtpConfig {
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    details.push({ field: 'config', rule: 'type', message: 'config must be an object' });
    return config as SmtpConfig;
  }
  const c = config as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!SMTP_KEYS.includes(key)) details.push({ field: `config.${key}`, rule: 'unknown', message: `unknown smtp setting ${key}` });
  }
  if (typeof c.host !== 'string' || !c.host) details.push({ field: 'config.host', rule: 'required', message: 'host is required' });
  if (c.port !== undefined && (!Number.isInteger(c.port) || (c.port as number) < 1 || (c.port as number) > 65535)) {
    details.push({ field: 'config.port', rule: 'range', message: 'port must be 1 to 65535' });
  }
  if (c.tls !== undefined && typeof c.tls !== 'boolean') details.push({ field: 'config.tls', rule: 'type', message: 'tls must be true or false' });
  for (const key of ['username', 'password', 'from_name']) {
    if (c[key] !== undefined && typeof c[key] !== 'string') details.push({ field: `config.${key}`, rule: 'type', message: `${key} must be a string` });
  }
  if (typeof c.from !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(c.from)) details.push({ field: 'config.from', rule: 'format', message: 'from must be an address' });
  for (const key of SECRET_KEYS) {
    if (typeof c[key] === 'string' && !isEnvRef(c[key] as string)) {
      details.push({ field: `config.${key}`, rule: 'secret', message: `${key} must be an {{env.VAR}} reference, never the secret itself` });
    }
  }
  for (const name of envRefsIn(c)) {
    if (!isEnvAllowed(name, allow)) details.push({ field: 'config', rule: 'env_allow', message: `{{env.${name}}} is not in TAKES_EMAIL_ENV_ALLOW` });
  }
  return { ...(c as unknown as SmtpConfig), port: (c.port as number | undefined) ?? 587, tls: (c.tls as boolean | undefined) ?? true };
}

/**
 * Checks a provider body. On update (`existing` given) fields left out keep their value;
 * the config, when given, is replaced whole. Unknown fields are refused.
 */
export function parseProviderInput(body: unknown, allow: EnvAllowList, existing?: EmailProviderInput): EmailProviderInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new TakesError('INVALID_PAYLOAD', 'body must be a JSON object');
  const input = body as Record<string, unknown>;
  const details: ErrorDetail[] = [];
  for (const key of Object.keys(input)) {
    if (!['name', 'provider', 'config', 'priority', 'active'].includes(key)) details.push({ field: key, rule: 'unknown', message: `unknown field ${key}` });
  }
  const merged = { ...existing, ...input } as Record<string, unknown>;
  if (typeof merged.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,62}$/.test(merged.name)) {
    details.push({ field: 'name', rule: 'pattern', message: 'name must be 1 to 63 letters, digits, spaces, _ . -' });
  }
  if (!PROVIDERS.includes(merged.provider as string)) details.push({ field: 'provider', rule: 'enum', message: 'provider must be smtp' });
  if (merged.priority !== undefined && !Number.isInteger(merged.priority)) details.push({ field: 'priority', rule: 'type', message: 'priority must be an integer' });
  if (merged.active !== undefined && typeof merged.active !== 'boolean') details.push({ field: 'active', rule: 'type', message: 'active must be true or false' });
  const config = checkSmtpConfig(merged.config, allow, details);
  if (details.length > 0) throw new TakesError('VALIDATION_FAILED', 'invalid email provider', details);
  return {
    name: merged.name as string,
    provider: 'smtp',
    config,
    priority: (merged.priority as number | undefined) ?? 0,
    active: (merged.active as boolean | undefined) ?? true,
  };
}

/** Options for nodemailer's SMTP transport, from a config whose references are resolved. */
export function smtpTransportOptions(config: SmtpConfig, timeoutMs: number): Record<string, unknown> {
  const implicitTls = config.tls && config.port === 465;
  return {
    host: config.host,
    port: config.port,
    secure: implicitTls,
    requireTLS: config.tls && !implicitTls,
    ignoreTLS: !config.tls,
    ...(config.username ? { auth: { user: config.username, pass: config.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

/** The From header: `"MyApp" <noreply@myapp.com>`, as an address object. */
export function fromAddress(config: SmtpConfig): { name: string; address: string } | string {
  return config.from_name ? { name: config.from_name, address: config.from } : config.from;
}
