// Python's float formatting (`'{:.4f}'`, `'{:.4e}'`), digit for digit. JavaScript's toFixed
// and toExponential round exactly too, except that they break a tie away from zero where
// Python breaks it to even (0.03125 is `0.0313` in JavaScript, `0.0312` in Python). A tie
// shows as a trailing 5 one digit further, so only such values (and -0, and toFixed's
// exponential range) take the slow path through the exact decimal expansion of the double.

/** A finite double's magnitude as `digits × 10^-scale`, exactly. */
interface Exact {
  digits: bigint;
  scale: number;
}

const bits = new DataView(new ArrayBuffer(8));

function exactDecimal(magnitude: number): Exact {
  if (magnitude === 0) return { digits: 0n, scale: 0 };
  bits.setFloat64(0, magnitude);
  const high = bits.getUint32(0);
  const low = bits.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  if (exponent >= 0) return { digits: mantissa << BigInt(exponent), scale: 0 };
  // m / 2^k = m·5^k / 10^k
  return { digits: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

/** `n / 10^drop` rounded half to even, as Python's formatting rounds. */
function roundHalfEven(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop);
  const unit = 10n ** BigInt(drop);
  const q = n / unit;
  const twice = (n % unit) * 2n;
  return twice > unit || (twice === unit && q % 2n === 1n) ? q + 1n : q;
}

function nonFinite(x: number): string | null {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return null;
}

function sign(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/**
 * Python's `'{:.<precision>f}'.format(x)`.
 * @example formatFixed(0.03125, 4); // '0.0312'
 */
export function formatFixed(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  if (x !== 0 && Math.abs(x) < 1e21 && !x.toFixed(precision + 1).endsWith('5')) {
    return x.toFixed(precision);
  }
  const { digits, scale } = exactDecimal(Math.abs(x));
  const text = roundHalfEven(digits, scale - precision)
    .toString()
    .padStart(precision + 1, '0');
  const cut = text.length - precision;
  const body = precision === 0 ? text : `${text.slice(0, cut)}.${text.slice(cut)}`;
  return sign(x) + body;
}

/**
 * Python's `'{:.<precision>e}'.format(x)`: at least two exponent digits.
 * @example formatExponent(123445, 4); // '1.2344e+05'
 */
export function formatExponent(x: number, precision: number): string {
  const special = nonFinite(x);
  if (special !== null) return special;
  if (x !== 0 && !/5e/.test(x.toExponential(precision + 1))) {
    return x.toExponential(precision).replace(/e([+-])(\d)$/, 'e$10$2');
  }
  let mantissa: string;
  let exponent = 0;
  if (x === 0) {
    mantissa = '0'.repeat(precision + 1);
  } else {
    const { digits, scale } = exactDecimal(Math.abs(x));
    const length = digits.toString().length;
    exponent = length - 1 - scale;
    mantissa = roundHalfEven(digits, length - (precision + 1)).toString();
    // Rounding 9.99995 up gives 10.0000: one digit too many, one more power of ten.
    if (mantissa.length > precision + 1) {
      mantissa = mantissa.slice(0, precision + 1);
      exponent += 1;
    }
  }
  const point = precision === 0 ? '' : `.${mantissa.slice(1)}`;
  const power = String(Math.abs(exponent)).padStart(2, '0');
  return `${sign(x)}${mantissa[0]}${point}e${exponent < 0 ? '-' : '+'}${power}`;
}
