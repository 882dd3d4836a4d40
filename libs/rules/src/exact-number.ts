/**
 * The one number type of the expression engine: an exact decimal (a bigint coefficient
 * and a count of fraction digits), so that `record.total * 0.2` gives 20.1 for 100.5 and
 * a decimal field's text ("100.50") is read without binary rounding. Rocket's engine
 * (expr-lang in Go) mixes int and float freely; CEL does not, so every number that
 * enters an expression becomes an ExactNumber and no int/double split is ever seen.
 */

/** Digits a coefficient may hold; past this a result is refused rather than grown. */
const MAX_DIGITS = 400;
/** Fraction digits kept by a division that does not end (1 / 3). */
const DIVISION_DIGITS = 30;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?$/;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

export class ExactNumber {
  private constructor(
    /** value = coefficient / 10^scale; never has a trailing zero digit when scale > 0. */
    readonly coefficient: bigint,
    readonly scale: number,
  ) {}

  static of(coefficient: bigint, scale = 0): ExactNumber {
    let c = coefficient;
    let s = scale;
    while (s > 0 && c % 10n === 0n) {
      c /= 10n;
      s -= 1;
    }
    if (s < 0) {
      c *= pow10(-s);
      s = 0;
    }
    if (abs(c).toString().length > MAX_DIGITS) throw new RangeError('number too large');
    return new ExactNumber(c, s);
  }

  /** Reads a JS number by its shortest round-trip text (0.1 is exactly 0.1); null for NaN/Infinity. */
  static fromNumber(value: number): ExactNumber | null {
    if (!Number.isFinite(value)) return null;
    return ExactNumber.fromText(String(value));
  }

  /** Reads decimal text (`12`, `-0.50`, `.5`, `1e3`); null for anything else. */
  static fromText(text: string): ExactNumber | null {
    if (!DECIMAL_TEXT.test(text)) return null;
    const [mantissa, exponentText] = text.toLowerCase().split('e');
    const exponent = exponentText === undefined ? 0 : Number(exponentText);
    const negative = mantissa.startsWith('-');
    const unsigned = mantissa.replace(/^[+-]/, '');
    const [intDigits, fracDigits = ''] = unsigned.split('.');
    const digits = `${intDigits}${fracDigits}`.replace(/^0+(?=\d)/, '') || '0';
    const coefficient = BigInt(digits) * (negative ? -1n : 1n);
    return ExactNumber.of(coefficient, fracDigits.length - exponent);
  }

  private aligned(other: ExactNumber): [bigint, bigint, number] {
    const scale = Math.max(this.scale, other.scale);
    return [this.coefficient * pow10(scale - this.scale), other.coefficient * pow10(scale - other.scale), scale];
  }

  plus(other: ExactNumber): ExactNumber {
    const [a, b, scale] = this.aligned(other);
    return ExactNumber.of(a + b, scale);
  }

  minus(other: ExactNumber): ExactNumber {
    const [a, b, scale] = this.aligned(other);
    return ExactNumber.of(a - b, scale);
  }

  times(other: ExactNumber): ExactNumber {
    return ExactNumber.of(this.coefficient * other.coefficient, this.scale + other.scale);
  }

  /** Division to DIVISION_DIGITS fraction digits, rounded half away from zero. Throws on zero. */
  dividedBy(other: ExactNumber): ExactNumber {
    if (other.coefficient === 0n) throw new RangeError('division by zero');
    const numerator = this.coefficient * pow10(other.scale + DIVISION_DIGITS + 1);
    const denominator = other.coefficient * pow10(this.scale);
    const quotient = numerator / denominator;
    const rounded = (quotient + (quotient < 0n ? -5n : 5n)) / 10n;
    return ExactNumber.of(rounded, DIVISION_DIGITS);
  }

  /** Remainder with the sign of the dividend (Go's and JavaScript's %). Throws on zero. */
  modulo(other: ExactNumber): ExactNumber {
    if (other.coefficient === 0n) throw new RangeError('modulo by zero');
    const [a, b, scale] = this.aligned(other);
    return ExactNumber.of(a % b, scale);
  }

  negated(): ExactNumber {
    return ExactNumber.of(-this.coefficient, this.scale);
  }

  compare(other: ExactNumber): -1 | 0 | 1 {
    const [a, b] = this.aligned(other);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: ExactNumber): boolean {
    return this.compare(other) === 0;
  }

  /** To a whole number: `floor` toward minus infinity, `ceil` toward plus, `round` half away from zero. */
  toInteger(mode: 'floor' | 'ceil' | 'round'): ExactNumber {
    if (this.scale === 0) return this;
    const unit = pow10(this.scale);
    const truncated = this.coefficient / unit;
    const remainder = this.coefficient % unit;
    if (mode === 'floor') return ExactNumber.of(remainder < 0n ? truncated - 1n : truncated);
    if (mode === 'ceil') return ExactNumber.of(remainder > 0n ? truncated + 1n : truncated);
    const half = abs(remainder) * 2n >= unit;
    return ExactNumber.of(half ? truncated + (this.coefficient < 0n ? -1n : 1n) : truncated);
  }

  isInteger(): boolean {
    return this.scale === 0;
  }

  /** Plain notation, no exponent ("20.1", "-0.005", "110"). */
  toString(): string {
    const negative = this.coefficient < 0n;
    const digits = abs(this.coefficient).toString().padStart(this.scale + 1, '0');
    const int = digits.slice(0, digits.length - this.scale);
    const frac = digits.slice(digits.length - this.scale);
    return `${negative ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
  }

  /**
   * The JSON value a record gets: a number when the number reads back to exactly this
   * value (110, 20.1), otherwise the plain decimal text, as a decimal field stores a
   * value beyond a double's digits.
   */
  toJson(): number | string {
    const text = this.toString();
    const asNumber = Number(text);
    const back = ExactNumber.fromNumber(asNumber);
    return back !== null && back.equals(this) ? (asNumber === 0 ? 0 : asNumber) : text;
  }
}
