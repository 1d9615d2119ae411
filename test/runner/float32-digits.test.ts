// float32 numbers written at float32 precision: every one reads back as the same float32, in
// the fewest digits that do, and the summaries that carry them still pass the protocol.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { decodeNum, validateTensorSummary } from '../../src/protocol/messages';
import { float32Digits } from '../../src/runner/float32-digits';
import { summarize, summarizeExact } from '../../src/runner/summary';
import { rng } from '../helpers/rng';

/** The shortest by brute force: each digit count in turn, as the text parses. */
function fewestDigits(f: number): number {
  for (let p = 1; p <= 9; p++) {
    const c = Number(f.toPrecision(p));
    if (Math.fround(c) === f) return c;
  }
  throw new Error(`${f}: nine digits do not read back`);
}

/** Float32 values over the whole range: subnormals, extremes, and a spread of exponents. */
function samples(): number[] {
  const next = rng(17);
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  const out = [1e-45, 1.17549435e-38, 3.4028235e38, 0.1, 0.5, 1 / 3, 1000, 1e7, 123456.7].map(
    Math.fround,
  );
  for (let i = 0; i < 5000; i++) {
    bits[0] = Math.floor(next() * 2 ** 32);
    if (Number.isFinite(asFloat[0])) out.push(asFloat[0]);
    out.push(Math.fround((next() - 0.5) * 10 ** Math.floor(next() * 12 - 8)));
  }
  return out;
}

describe('float32Digits', () => {
  const values = samples();

  it('reads back through JSON as the same float32, in the fewest digits', () => {
    for (const f of values) {
      const text = JSON.stringify(float32Digits(f));
      expect(Math.fround(JSON.parse(text) as number), text).toBe(f);
      expect(text).toBe(JSON.stringify(fewestDigits(f)));
    }
  });

  it('writes float32 values in fewer characters than their float64 text', () => {
    const digits = JSON.stringify(values.map(float32Digits)).length;
    const wide = JSON.stringify(values).length;
    expect(digits).toBeLessThan(wide * 0.7);
  });

  it('rounds a float64 to the float32 nearest it, and leaves what float32 cannot hold', () => {
    expect(float32Digits(0.1)).toBe(0.1);
    expect(float32Digits(1 / 3)).toBe(0.33333334);
    expect(float32Digits(-2.5)).toBe(-2.5);
    expect(float32Digits(1e300)).toBe(1e300);
    expect(float32Digits(NaN)).toBeNaN();
    expect(float32Digits(-Infinity)).toBe(-Infinity);
    expect(Object.is(float32Digits(-0), -0)).toBe(true);
  });
});

describe('summaries at float32 precision', () => {
  const data = [0.1, -1 / 3, NaN, Infinity, 2.5e-7, 7, 1e-40];

  it('give a float32 tensor its exact elements in short text, NaN and Inf as the protocol says', () => {
    const t = torch.tensor(data);
    const s = summarizeExact(t);
    const wire = JSON.parse(JSON.stringify(s)) as typeof s;
    expect(validateTensorSummary(wire)).toEqual(s);
    const stored = Array.from(t._data);
    expect(wire.values!.map((v) => Math.fround(decodeNum(v)))).toEqual(stored);
    expect(JSON.stringify(wire.values)).toBe('[0.1,-0.33333334,"NaN","Infinity",2.5e-7,7,1e-40]');
    expect(wire.min).toBe(-0.33333334);
    expect(Math.fround(wire.mean!)).toBe(Math.fround((0.1 - 1 / 3 + 2.5e-7 + 7 + 1e-40) / 5));
    expect(String(wire.norm).length).toBeLessThanOrEqual(11);
  });

  it('say the same of a strided view as of its contiguous copy', () => {
    const x = torch.tensor([data.slice(0, 3), data.slice(3, 6)]).t();
    expect(x.isContiguous()).toBe(false);
    expect(summarizeExact(x)).toEqual(summarizeExact(x.contiguous()));
    expect(summarizeExact(x).values).toEqual([0.1, 'Infinity', -0.33333334, 2.5e-7, 'NaN', 7]);
    const y = torch.arange(24).reshape(2, 3, 4).transpose(0, 2).div(7);
    expect(summarizeExact(y.transpose(0, 1))).toEqual(
      summarizeExact(y.transpose(0, 1).contiguous()),
    );
  });

  it('leave a float64 tensor numbers as they are', () => {
    const s = summarize(torch.tensor(data, { dtype: 'float64' }));
    expect(s.first).toEqual([0.1, -1 / 3, 'NaN', 'Infinity', 2.5e-7, 7]);
    expect(s.min).toBe(-1 / 3);
  });
});
