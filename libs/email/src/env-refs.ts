/**
 * Secrets in provider configs are written as `{{env.VAR}}` and read from the environment
 * when a mail is sent, never stored. Only variables named in an allow-list may be read
 * (TAKES_EMAIL_ENV_ALLOW), so an admin cannot make the gateway mail out, say, its
 * database password.
 */
const ENV_REF = /\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const WHOLE_ENV_REF = /^\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

/** Names, comma or space separated; a trailing `*` allows a prefix (`SMTP_*`). */
export type EnvAllowList = readonly string[];

export function parseEnvAllowList(raw: string | undefined): EnvAllowList {
  return (raw ?? '').split(/[\s,]+/).filter(Boolean);
}

export function isEnvAllowed(name: string, allow: EnvAllowList): boolean {
  return allow.some((entry) => (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : name === entry));
}

/** True when the whole string is one `{{env.VAR}}` reference (how a secret must be written). */
export function isEnvRef(value: string): boolean {
  return WHOLE_ENV_REF.test(value);
}

/** Every variable a value (string, list or object, at any depth) refers to. */
export function envRefsIn(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(ENV_REF)].map((m) => m[1]);
  if (Array.isArray(value)) return value.flatMap(envRefsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(envRefsIn);
  return [];
}

export class EnvRefError extends Error {
  constructor(readonly variable: string, reason: string) {
    super(`{{env.${variable}}}: ${reason}`);
    this.name = 'EnvRefError';
  }
}

/** The value with every reference replaced; a name outside the allow-list or unset is an EnvRefError. */
export function resolveEnvRefs<T>(value: T, env: Record<string, string | undefined>, allow: EnvAllowList): T {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string) => {
      if (!isEnvAllowed(name, allow)) throw new EnvRefError(name, 'not in TAKES_EMAIL_ENV_ALLOW');
      const resolved = env[name];
      if (resolved === undefined) throw new EnvRefError(name, 'not set');
      return resolved;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => resolveEnvRefs(v, env, allow)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnvRefs(v, env, allow)])) as T;
  }
  return value;
}
