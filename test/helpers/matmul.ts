// Float64 references for float32 matrix products, shared by the kernel tests.
import { expect } from 'vitest';
import * as torch from '../../src/engine/index';

type T = torch.Tensor;

export function randomMatrix(r: () => number, rows: number, cols: number): T {
  return torch
    .tensor(Float32Array.from({ length: rows * cols }, () => r() * 2 - 1))
    .reshape(rows, cols);
}

/** float64 product and Σ|a||b| per element, from the float32 values, in plain loops. */
export function reference(
  a: T,
  b: T,
  bias: T | null,
): { value: Float64Array; scale: Float64Array } {
  const [m, k] = a.shape;
  const n = b.shape[1];
  const A = a.tolist() as number[][];
  const B = b.tolist() as number[][];
  const bv = bias === null ? null : (bias.expand(m, n).tolist() as number[][]);
  const value = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bv === null ? 0 : bv[i][j];
      let t = Math.abs(s);
      for (let p = 0; p < k; p++) {
        s += A[i][p] * B[p][j];
        t += Math.abs(A[i][p] * B[p][j]);
      }
      value[i * n + j] = s;
      scale[i * n + j] = t;
    }
  }
  return { value, scale };
}

/**
 * Float32 accumulation over k terms is within about k·2⁻²⁴·Σ|a||b| of the exact sum; a wrong
 * index or a lost panel is off by the size of a term.
 */
export function expectNear(
  got: T,
  ref: { value: Float64Array; scale: Float64Array },
  k: number,
  what: string,
): void {
  expect(got.dtype, what).toBe('float32');
  const data = got.contiguous()._data;
  let worst = 0;
  for (let i = 0; i < ref.value.length; i++) {
    const tol = (k + 2) * 2 ** -24 * ref.scale[i] + 1e-30;
    worst = Math.max(worst, Math.abs(data[i] - ref.value[i]) / tol);
  }
  expect(worst, `${what}: worst error in units of the float32 bound`).toBeLessThanOrEqual(1);
}
