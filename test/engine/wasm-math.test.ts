// exp, tanh and sigmoid of float32 tensors on WebAssembly SIMD (math.as) against the float64
// functions rounded to float32: a sweep across the whole useful range, the branch and
// overflow edges, subnormal results, ±0, ±inf and NaN; and through the engine's own ops, with
// the TypeScript loop as the other kernel.
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { wasmUnary, WASM_UNARY_MIN, type SimdUnary } from '../../src/engine/wasm/math';
import { _setKernelBackend } from '../../src/engine/wasm/module';

const reference: Record<SimdUnary, (x: number) => number> = {
  exp: Math.exp,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};

const FLT_MIN = 2 ** -126;

/** The gap between |x| and the next float32 up (subnormal spacing below FLT_MIN). */
function ulp(x: number): number {
  const a = Math.max(Math.abs(x), FLT_MIN);
  const f = new Float32Array([a]);
  new Int32Array(f.buffer)[0]++;
  return f[0] - Math.fround(a);
}

function inputs(): Float32Array {
  const xs: number[] = [];
  for (let i = 0; i <= 400_000; i++) xs.push(-110 + (220 * i) / 400_000);
  for (let i = -50_000; i <= 50_000; i++) xs.push(i * 2e-5);
  xs.push(
    0,
    -0,
    1e-30,
    -1e-30,
    1e-8,
    -1e-8,
    0.625,
    -0.625,
    0.62499,
    88.72,
    88.73,
    89,
    -87.3,
    -100,
    -103.9,
    -104,
    -200,
    200,
    3e38,
    -3e38,
    Infinity,
    -Infinity,
    NaN,
  );
  return Float32Array.from(xs);
}

afterEach(() => {
  _setKernelBackend('auto');
});

// sigmoid rounds twice (exp, then the division), as PyTorch's float32 formula does.
const BOUND: Record<SimdUnary, number> = { exp: 1, tanh: 1, sigmoid: 2 };

describe('WebAssembly SIMD exp, tanh and sigmoid', () => {
  const xs = inputs();

  it.each(['exp', 'tanh', 'sigmoid'] as const)(
    '%s is within its ulp bound of the correctly rounded value everywhere',
    (f) => {
      const out = new Float32Array(xs.length);
      expect(wasmUnary(f, xs, out)).toBe(true);
      let worst = 0;
      let worstAt = 0;
      for (let i = 0; i < xs.length; i++) {
        const want = Math.fround(reference[f](xs[i]));
        if (Number.isNaN(want) || !Number.isFinite(want)) {
          expect(Object.is(out[i], want), `${f}(${xs[i]}) = ${out[i]}, want ${want}`).toBe(true);
          continue;
        }
        // Results below FLT_MIN are judged at FLT_MIN's scale: PyTorch's sigmoid, which is
        // 1 / (1 + exp(-x)) in float32 too, flushes them to 0 where exp(-x) overflows.
        const err = Math.abs(out[i] - want) / ulp(want);
        const allowed = Math.abs(want) < FLT_MIN ? FLT_MIN / ulp(0) : BOUND[f];
        if (err > allowed) throw new Error(`${f}(${xs[i]}) = ${out[i]}, want ${want}: ${err} ulp`);
        if (Math.abs(want) >= FLT_MIN && err > worst) [worst, worstAt] = [err, xs[i]];
      }
      expect(worst, `worst at ${worstAt}`).toBeLessThanOrEqual(BOUND[f]);
      // Signs of zero survive (tanh(-0) is -0, exp's is 1).
      expect(Object.is(out[xs.indexOf(0)], f === 'exp' ? 1 : f === 'tanh' ? 0 : 0.5)).toBe(true);
    },
  );

  it('runs behind the engine ops for float32 tensors, matching the TypeScript loop within the bound', () => {
    torch.manualSeed(3);
    const x = torch.randn(1001).mul(4);
    for (const op of ['exp', 'tanh', 'sigmoid'] as const) {
      _setKernelBackend('ts');
      const ts = x[op]()._data as Float32Array;
      _setKernelBackend('auto');
      const simd = x[op]()._data as Float32Array;
      let worst = 0;
      for (let i = 0; i < ts.length; i++)
        worst = Math.max(worst, Math.abs(simd[i] - ts[i]) / ulp(ts[i]));
      expect(worst, op).toBeLessThanOrEqual(BOUND[op]);
      // The gradient is built from the saved output, so it runs on the same values.
      const leaf = x.clone().requiresGrad_();
      leaf[op]().sum().backward();
      expect(leaf.grad!.shape).toEqual([1001]);
    }
  });

  it('leaves small, float64 and integer inputs to the TypeScript loop', () => {
    expect(
      wasmUnary('tanh', new Float32Array(WASM_UNARY_MIN - 1), new Float32Array(WASM_UNARY_MIN - 1)),
    ).toBe(false);
    const x64 = torch.linspace(-3, 3, 500, { dtype: 'float64' });
    const want = Array.from(x64._data as Float64Array, Math.tanh);
    expect(Array.from(x64.tanh()._data as Float64Array)).toEqual(want);
    const ints = torch.arange(0, 200, 1, { dtype: 'int64' });
    expect(Array.from(ints.exp()._data as Float32Array).slice(0, 3)).toEqual([
      1,
      Math.fround(Math.E),
      Math.fround(Math.exp(2)),
    ]);
  });
});
