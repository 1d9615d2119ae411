// Float64 references for float32 matrix products, shared by the kernel tests.
import { expect } from 'vitest';
import * as torch from '../../src/engine/index';
import { _setKernelBackend } from '../../src/engine/wasm/module';

type T = torch.Tensor;

export function randomMatrix(r: () => number, rows: number, cols: number): T {
  return torch
    .tensor(Float32Array.from({ length: rows * cols }, () => r() * 2 - 1))
    .reshape(rows, cols);
}

/** The same matrix laid out four ways: contiguous, transposed storage, strided rows, and a column slice. */
export function layouts(r: () => number, rows: number, cols: number): Record<string, T> {
  const x = randomMatrix(r, rows, cols);
  return {
    contiguous: x,
    transposed: x.t().contiguous().t(),
    strided: torch.cat([x, randomMatrix(r, rows, 3)], 1).narrow(1, 0, cols),
    everyOther: torch.stack([x, randomMatrix(r, rows, cols)], 2).select(2, 0),
  };
}

/**
 * [m, k, n]: tiny, odd, exactly one tile (4×8), the W1 layer, and sizes that cross the
 * kernel's KC=256 depth and NC=256 column blocks with ragged edges and a last panel of A
 * with fewer than 4 rows (37×300×600 on one thread: too thin a side for the workers).
 */
export const MATMUL_SHAPES: ReadonlyArray<[number, number, number]> = [
  [1, 1, 1],
  [3, 5, 7],
  [4, 4, 8],
  [5, 3, 9],
  [2, 1000, 1],
  [1, 600, 3],
  [33, 65, 17],
  [64, 784, 256],
  [130, 300, 20],
  [129, 257, 513],
  [37, 300, 600],
];

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

/**
 * Linear and matmul backward (transposed operands) on the WebAssembly kernel against the
 * TypeScript kernel: x, fc.weight, fc.bias and w2's gradients agree within 1e-4 of their scale.
 */
export function expectGradientsAsTypeScript(label: string): void {
  const grads: Record<string, number[][]> = {};
  for (const kernel of ['wasm', 'ts'] as const) {
    _setKernelBackend(kernel);
    torch.manualSeed(0);
    const fc = new torch.nn.Linear(97, 51);
    const x = torch.randn(66, 97, { requiresGrad: true });
    const w2 = torch.randn(51, 19, { requiresGrad: true });
    torch.matmul(fc.forward(x).tanh(), w2).square().sum().backward();
    grads[kernel] = [x.grad!, fc.weight.grad!, fc.bias!.grad!, w2.grad!].map((g) =>
      Array.from(g.contiguous()._data),
    );
  }
  grads.wasm.forEach((g, i) => {
    const t = grads.ts[i];
    const scale = Math.max(...t.map(Math.abs));
    const worst = Math.max(...g.map((v, j) => Math.abs(v - t[j])));
    expect(scale, `${label} gradient ${i}`).toBeGreaterThan(0);
    expect(worst, `${label} gradient ${i}`).toBeLessThan(scale * 1e-4);
  });
}
