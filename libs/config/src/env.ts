/**
 * Reads settings from environment variables once, at start-up. A bad value stops the
 * service with a message naming the variable, instead of surfacing later as odd behaviour.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function envString(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function envInt(env: Env, name: string, fallback: number, bounds: { min?: number; max?: number } = {}): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (bounds.min !== undefined && value < bounds.min) throw new ConfigError(`${name} must be at least ${bounds.min}, got ${value}`);
  if (bounds.max !== undefined && value > bounds.max) throw new ConfigError(`${name} must be at most ${bounds.max}, got ${value}`);
  return value;
}

export function envBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|on|yes)$/i.test(raw)) return true;
  if (/^(0|false|off|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as `250ms`, `2m`, `7d` or a bare number of milliseconds. */
export function envDurationMs(env: Env, name: string, fallbackMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackMs;
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) throw new ConfigError(`${name} must be a duration like 500ms, 2m or 7d, got "${raw}"`);
  return Number(match[1]) * UNITS[match[2] ?? 'ms'];
}

/** NATS subject tokens ending in a dot (`t1.`, `site.north.`), or empty: what every subject is prefixed with. */
const SUBJECT_PREFIX = /^([A-Za-z0-9_-]+\.)+$/;
/** A JetStream stream name. */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** TAKES_SUBJECT_PREFIX: empty, or tokens each followed by a dot; refused before any side effect, naming the variable. */
export function envSubjectPrefix(env: Env, name = 'TAKES_SUBJECT_PREFIX'): string {
  const value = envString(env, name, '');
  if (value !== '' && !SUBJECT_PREFIX.test(value)) {
    throw new ConfigError(`${name} must be empty or NATS subject tokens each ending in a dot (for example "site1."), got "${value}"`);
  }
  return value;
}

/** TAKES_STREAM_NAME: letters, digits, _ and -. */
export function envStreamName(env: Env, name = 'TAKES_STREAM_NAME', fallback = 'EVENTS'): string {
  const value = envString(env, name, fallback);
  if (!STREAM_NAME.test(value)) throw new ConfigError(`${name} must be 1 to 255 letters, digits, _ or -, got "${value}"`);
  return value;
}

/** An http(s) URL without its trailing slash (the origin of an API a page calls), or null when unset. */
export function envHttpUrl(env: Env, name: string): string | null {
  const value = envString(env, name, '').trim();
  if (value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an http or https URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name} must be an http or https URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}
