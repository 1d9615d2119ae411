// The WebAssembly SIMD matmul kernel against the portable TypeScript kernel and a float64
// reference computed here, through the engine's own mm/addmm/matmul paths: odd sizes, sizes
// that cross every blocking boundary, transposed and strided operands, backward, float64.
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { wasmMatmul } from '../../src/engine/wasm/gemm';
import { _setKernelBackend, wasmSimdAvailable } from '../../src/engine/wasm/module';
import { GENERATED, generatedModule } from '../../scripts/build-wasm.mjs';
import { readFileSync } from 'node:fs';
import { rng } from '../helpers/rng';
import {
  expectGradientsAsTypeScript,
  expectNear,
  layouts,
  MATMUL_SHAPES,
  randomMatrix,
  reference,
} from '../helpers/matmul';

afterEach(() => {
  _setKernelBackend('auto');
});

describe('WebAssembly SIMD matmul kernel', () => {
  it('is available in this Node (otherwise the comparisons below would only test TypeScript)', () => {
    expect(wasmSimdAvailable()).toBe(true);
    expect(_setKernelBackend('wasm')).toBe('wasm');
  });

  it('gives the float64 reference within float32 rounding, as the TypeScript kernel does, for every size and layout', () => {
    const r = rng(1);
    for (const [m, k, n] of MATMUL_SHAPES) {
      const as = layouts(r, m, k);
      const bs = layouts(r, k, n);
      const ref = reference(as.contiguous, bs.contiguous, null);
      for (const [la, a] of Object.entries(as)) {
        for (const [lb, b] of Object.entries(bs)) {
          for (const kernel of ['wasm', 'ts'] as const) {
            _setKernelBackend(kernel);
            expectNear(a.mm(b), ref, k, `${kernel} ${m}x${k} (${la}) @ ${k}x${n} (${lb})`);
          }
        }
      }
    }
  });

  it('runs the product it is given rather than declining it', () => {
    _setKernelBackend('wasm');
    const r = rng(2);
    const a = randomMatrix(r, 5, 7);
    const b = randomMatrix(r, 7, 3);
    const c = new Float32Array(15).fill(NaN);
    expect(wasmMatmul(a, b, c, false)).toBe(true);
    // NaN in c stays NaN: the kernel adds to c rather than overwriting it.
    expect(Array.from(c).every(Number.isNaN)).toBe(true);
    c.fill(1);
    expect(wasmMatmul(a, b, c, false)).toBe(true);
    expectNear(torch.tensor(c).reshape(5, 3), reference(a, b, torch.ones(5, 3)), 7, 'c += a·b');
    _setKernelBackend('ts');
    expect(wasmMatmul(a, b, c, false)).toBe(false);
  });

  it('overwrites whatever the heap held where c is zero (the kernel does not clear it first)', () => {
    _setKernelBackend('wasm');
    const r = rng(6);
    // Both products ragged (padding rows and columns), both split over more than one depth
    // pass (k > 256): the first leaves NaN in the heap's C, padding included.
    const a = randomMatrix(r, 37, 300);
    const b = randomMatrix(r, 300, 45);
    expect(wasmMatmul(a, b, new Float32Array(37 * 45).fill(NaN), false)).toBe(true);
    const c = new Float32Array(37 * 45);
    expect(wasmMatmul(a, b, c, true)).toBe(true);
    expectNear(torch.tensor(c).reshape(37, 45), reference(a, b, null), 300, 'c = a·b');
  });

  it('adds addmm bias (row, column, full and scalar broadcasts) like the TypeScript kernel', () => {
    const r = rng(3);
    const [m, k, n] = [37, 70, 45];
    const a = randomMatrix(r, m, k);
    const w = randomMatrix(r, n, k);
    for (const bias of [
      randomMatrix(r, 1, n).reshape(n),
      randomMatrix(r, m, 1),
      randomMatrix(r, m, n),
      torch.tensor(0.5),
    ]) {
      const ref = reference(a, w.t(), bias);
      for (const kernel of ['wasm', 'ts'] as const) {
        _setKernelBackend(kernel);
        expectNear(
          torch.addmm(bias, a, w.t()),
          ref,
          k,
          `${kernel} addmm bias ${JSON.stringify(bias.shape)}`,
        );
      }
    }
  });

  it('gives the same gradients through Linear and matmul backward (transposed operands)', () => {
    expectGradientsAsTypeScript('wasm');
  });

  it('leaves float64 products to the TypeScript kernel (exact to float64 rounding)', () => {
    _setKernelBackend('wasm');
    const r = rng(4);
    const a = randomMatrix(r, 40, 50).to('float64');
    const b = randomMatrix(r, 50, 30).to('float64');
    const got = a.mm(b);
    expect(got.dtype).toBe('float64');
    const ref = reference(a, b, null);
    const data = got._data;
    for (let i = 0; i < ref.value.length; i++)
      expect(Math.abs(data[i] - ref.value[i])).toBeLessThan(1e-12 * ref.scale[i] + 1e-300);
  });

  it('rejects an unknown backend name', () => {
    expect(() => _setKernelBackend('gpu' as never)).toThrow(
      "expected 'auto', 'wasm' or 'ts' but got gpu",
    );
  });

  it('has its generated module up to date with the kernel source (npm run build regenerates it)', async () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(await generatedModule());
  });
});
