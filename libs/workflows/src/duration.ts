/** Rocket's step timeouts: a whole number and a unit, `30s`, `15m`, `72h`, `7d`. */
const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;

/** Milliseconds of a duration text, or null when it is not one (or is zero). */
export function parseDuration(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = DURATION.exec(text.trim());
  if (!match) return null;
  const ms = Number(match[1]) * UNITS[match[2]];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}
