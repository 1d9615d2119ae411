// float32 numbers at float32 precision. JSON prints a float32 value as the float64 it is
// (0.1f as 0.10000000149011612); the shortest decimal that reads back as the same float32 has
// at most 9 significant digits and says the same thing in a little more than half the characters.

/** Powers of ten that float64 holds exactly, so that m / 10^k rounds once, as parsing does. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The float64 nearest to the shortest decimal that rounds to the same float32 as `v`: what
 * JSON then prints is that decimal, and `Math.fround(JSON.parse(text))` is `Math.fround(v)`.
 * NaN, infinities, zeros and numbers beyond float32's range are returned as they are.
 *
 * @example
 * float32Digits(Math.fround(0.1)); // 0.1
 */
export function float32Digits(v: number): number {
  const f = Math.fround(v);
  if (f === 0) return f;
  if (f - f !== 0) return v;
  const a = f < 0 ? -f : f;
  const e = Math.floor(Math.log10(a));
  // Beyond these exponents 10^k is not exact for some digit count: parse the text instead.
  const short = bySearch(a, e > 20 || e < -13 ? NaN : e);
  return f < 0 ? -short : short;
}

/**
 * The fewest digits (1 to 9) whose value rounds to the float32 `a`, found by bisection (more
 * digits round no further from `a`); nine digits always do. `e`: see withDigits.
 */
function bySearch(a: number, e: number): number {
  let lo = 1;
  let hi = 9;
  let best = NaN;
  while (lo < hi) {
    const p = (lo + hi) >> 1;
    const c = withDigits(a, p, e);
    if (Math.fround(c) === a) {
      best = c;
      hi = p;
    } else lo = p + 1;
  }
  if (best === best) return best;
  const nine = withDigits(a, 9, e);
  // A decimal exponent that Math.log10 rounded up leaves scaled() one digit short.
  return Math.fround(nine) === a ? nine : Number(a.toPrecision(9));
}

/** `a` rounded to p significant digits: scaled by an exact power of ten, else as text (e NaN). */
function withDigits(a: number, p: number, e: number): number {
  return e === e ? scaled(a, p, e) : Number(a.toPrecision(p));
}

/** `a` rounded to p significant digits, with e the decimal exponent of its leading digit. */
function scaled(a: number, p: number, e: number): number {
  const k = p - 1 - e;
  return k >= 0 ? Math.round(a * POW10[k]) / POW10[k] : Math.round(a / POW10[-k]) * POW10[-k];
}
