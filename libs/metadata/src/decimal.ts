/**
 * Exact decimal text arithmetic for `decimal` fields, so that a value is rounded the way
 * PostgreSQL's NUMERIC(18, precision) column (Rocket's DDL for a decimal with a
 * precision) would round it, without going through binary floating point.
 */

/** A decimal number as digit strings: `int` without leading zeros ("0" at least). */
export interface DecimalParts {
  negative: boolean;
  int: string;
  frac: string;
}

const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;
/** Exponents beyond this are refused rather than expanded into megabytes of zeros. */
const MAX_EXPONENT = 1000;

/** Reads `12`, `-0.50`, `.5`, `5.`, `1e3`, `1.5E-7`; null for anything else (NaN, Infinity, spaces). */
export function parseDecimal(text: string): DecimalParts | null {
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return null;
  const [, sign, intDigits = '', fracDigits = '', exponentText] = match;
  if (intDigits.length === 0 && fracDigits.length === 0) return null;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (Math.abs(exponent) > MAX_EXPONENT) return null;
  const digits = intDigits + fracDigits;
  const point = intDigits.length + exponent;
  let int: string;
  let frac: string;
  if (point <= 0) {
    int = '0';
    frac = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    int = digits + '0'.repeat(point - digits.length);
    frac = '';
  } else {
    int = digits.slice(0, point);
    frac = digits.slice(point);
  }
  int = int.replace(/^0+/, '') || '0';
  return { negative: sign === '-', int, frac };
}

/** Adds one unit in the last place of a digit string ("199" → "200", "99" → "100"). */
function incrementDigits(digits: string): string {
  const out = digits.split('');
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === '9') {
      out[i] = '0';
    } else {
      out[i] = String(Number(out[i]) + 1);
      return out.join('');
    }
  }
  return '1' + out.join('');
}

/** Rounds to `scale` fraction digits, half away from zero (PostgreSQL's NUMERIC rounding). */
export function roundDecimal(parts: DecimalParts, scale: number): DecimalParts {
  if (parts.frac.length <= scale) return parts;
  const kept = parts.int + parts.frac.slice(0, scale);
  const roundUp = parts.frac.charCodeAt(scale) >= '5'.charCodeAt(0);
  const digits = roundUp ? incrementDigits(kept) : kept;
  const int = digits.slice(0, digits.length - scale).replace(/^0+/, '') || '0';
  return { negative: parts.negative, int, frac: digits.slice(digits.length - scale) };
}

function isZero(parts: DecimalParts): boolean {
  return /^0*$/.test(parts.int) && /^0*$/.test(parts.frac);
}

/**
 * Plain notation, no exponent, no "+", no "-0". With a scale the fraction is padded to
 * exactly that many digits (as PostgreSQL prints NUMERIC(p, s)); without one the
 * fraction digits are kept as written.
 */
export function formatDecimal(parts: DecimalParts, scale?: number): string {
  const frac = scale === undefined ? parts.frac : parts.frac.padEnd(scale, '0');
  const sign = parts.negative && !isZero(parts) ? '-' : '';
  return `${sign}${parts.int}${frac.length > 0 ? `.${frac}` : ''}`;
}

/** Digits before the point, leading zeros not counted (0.5 has none). */
export function integerDigits(parts: DecimalParts): number {
  return parts.int === '0' ? 0 : parts.int.length;
}
