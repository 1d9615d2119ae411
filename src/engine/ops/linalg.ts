// Matrix products. One blocked i-k-j kernel serves mm, addmm, mv and dot; operands are made
// contiguous first (a transpose copy is O(n^2) against the product's O(n^3)).
import { allocate, isFloating, promote, type DType, type Storage } from '../dtype';
import type { Tensor } from '../tensor';
import { broadcastView, contiguousData, fromStorage } from './kernels';
import { expand, UnsafeView } from './views';
import { broadcastShapes } from '../shape';
import { noGrad } from '../grad-mode';
import { apply, type Primitive } from './op';
import { sumTo } from './reduce';
import { wasmMatmul, wasmProduct } from '../wasm/gemm';

/** Columns of k processed per pass, so the 8 rows a micro-tile reads stay in L1. */
const KB = 256;

/**
 * C[m,n] += A[m,k] · Bt[n,k]ᵀ, both operands row-major along k. A 4×4 register tile of
 * accumulators gives 16 multiply-adds per 8 loads, about 4× the plain i-k-j loop in V8.
 */
export function gemmABt(
  a: ArrayLike<number>,
  bt: ArrayLike<number>,
  c: Storage,
  m: number,
  k: number,
  n: number,
): void {
  for (let p0 = 0; p0 < k; p0 += KB) {
    const p1 = Math.min(k, p0 + KB);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0 = i * k,
        a1 = a0 + k,
        a2 = a1 + k,
        a3 = a2 + k;
      let j = 0;
      for (; j + 4 <= n; j += 4) {
        const b0 = j * k,
          b1 = b0 + k,
          b2 = b1 + k,
          b3 = b2 + k;
        // A 4x4 block of accumulators in registers; one line per two rows reads as the block.
        // prettier-ignore
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        // prettier-ignore
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let p = p0; p < p1; p++) {
          const x0 = a[a0 + p],
            x1 = a[a1 + p],
            x2 = a[a2 + p],
            x3 = a[a3 + p];
          const y0 = bt[b0 + p],
            y1 = bt[b1 + p],
            y2 = bt[b2 + p],
            y3 = bt[b3 + p];
          c00 += x0 * y0;
          c01 += x0 * y1;
          c02 += x0 * y2;
          c03 += x0 * y3;
          c10 += x1 * y0;
          c11 += x1 * y1;
          c12 += x1 * y2;
          c13 += x1 * y3;
          c20 += x2 * y0;
          c21 += x2 * y1;
          c22 += x2 * y2;
          c23 += x2 * y3;
          c30 += x3 * y0;
          c31 += x3 * y1;
          c32 += x3 * y2;
          c33 += x3 * y3;
        }
        let o = i * n + j;
        c[o] += c00;
        c[o + 1] += c01;
        c[o + 2] += c02;
        c[o + 3] += c03;
        o += n;
        c[o] += c10;
        c[o + 1] += c11;
        c[o + 2] += c12;
        c[o + 3] += c13;
        o += n;
        c[o] += c20;
        c[o + 1] += c21;
        c[o + 2] += c22;
        c[o + 3] += c23;
        o += n;
        c[o] += c30;
        c[o + 1] += c31;
        c[o + 2] += c32;
        c[o + 3] += c33;
      }
      for (; j < n; j++) {
        const b0 = j * k;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let p = p0; p < p1; p++) {
          const y = bt[b0 + p];
          s0 += a[a0 + p] * y;
          s1 += a[a1 + p] * y;
          s2 += a[a2 + p] * y;
          s3 += a[a3 + p] * y;
        }
        c[i * n + j] += s0;
        c[(i + 1) * n + j] += s1;
        c[(i + 2) * n + j] += s2;
        c[(i + 3) * n + j] += s3;
      }
    }
    for (; i < m; i++) {
      const a0 = i * k;
      for (let j = 0; j < n; j++) {
        const b0 = j * k;
        let s = 0;
        for (let p = p0; p < p1; p++) s += a[a0 + p] * bt[b0 + p];
        c[i * n + j] += s;
      }
    }
  }
}

/** Row-major [k,n] data transposed to row-major [n,k], in cache-sized blocks. */
function transposed(src: ArrayLike<number>, k: number, n: number, dtype: DType): Storage {
  const out = allocate(dtype, k * n);
  const B = 32;
  for (let p0 = 0; p0 < k; p0 += B) {
    const p1 = Math.min(k, p0 + B);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(n, j0 + B);
      for (let p = p0; p < p1; p++) for (let j = j0; j < j1; j++) out[j * k + p] = src[p * n + j];
    }
  }
  return out;
}

/** B's elements as Bt (row-major [n,k]): free when B is itself a transposed contiguous matrix. */
function asBt(b: Tensor, dtype: DType): ArrayLike<number> {
  const [k, n] = b.shape;
  if (b._strides[0] === 1 && (b._strides[1] === k || n === 1))
    return b._data.subarray(b._offset, b._offset + k * n);
  return transposed(contiguousData(b), k, n, dtype);
}

function matmulDtype(a: Tensor, b: Tensor): DType {
  if (a.dtype !== b.dtype) {
    throw new Error(
      `expected scalar type ${a.dtype === 'float64' ? 'Double' : 'Float'} but found ${b.dtype === 'float64' ? 'Double' : 'Float'}`,
    );
  }
  return isFloating(a.dtype) ? a.dtype : promote(a.dtype, b.dtype);
}

function mmKernel(a: Tensor, b: Tensor, bias: Tensor | null): Tensor {
  const [m, k] = a.shape;
  const [k2, n] = b.shape;
  if (k !== k2) {
    throw new Error(`mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n})`);
  }
  const dtype = matmulDtype(a, b);
  // WebAssembly SIMD where it pays (float32, big enough); this TypeScript kernel otherwise.
  if (dtype === 'float32' && bias === null) {
    const product = wasmProduct(a, b, () => allocate(dtype, m * n) as Float32Array);
    if (product !== null) return fromStorage(product, [m, n], dtype);
  }
  const c = allocate(dtype, m * n);
  if (bias !== null) {
    // Bias broadcast into C first, so the product accumulates on top of it.
    c.set(contiguousData(broadcastView(bias, [m, n])));
    if (dtype === 'float32' && wasmMatmul(a, b, c as Float32Array, false))
      return fromStorage(c, [m, n], dtype);
  }
  gemmABt(contiguousData(a), asBt(b, dtype), c, m, k, n);
  return fromStorage(c, [m, n], dtype);
}

/**
 * Whether each operand was column-major (a transposed view) at forward time. PyTorch keeps
 * the operands' strides for backward even where it does not keep the operands.
 */
interface MmArgs {
  readonly colMajor: readonly [boolean, boolean];
}
const isColumnMajor = (t: Tensor): boolean => t._strides[0] === 1 && t._strides[1] === t.shape[0];
const LAYOUTS: readonly MmArgs[] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
].map((c) => ({ colMajor: c as [boolean, boolean] }));
const layoutOf = (a: Tensor, b: Tensor): MmArgs =>
  LAYOUTS[(isColumnMajor(a) ? 1 : 0) + (isColumnMajor(b) ? 2 : 0)];

// savedFor, as PyTorch's derivatives.yaml: mat1's gradient needs mat2 and mat2's needs mat1,
// so `x.mm(w)` with an `x` that needs no gradient keeps only `x` (and `w` may change in place).
export const Mm: Primitive<MmArgs> = {
  name: 'MmBackward0',
  arity: 2,
  saves: [0, 1],
  savedFor: [[1], [0]],
  forward: ([a, b]) => mmKernel(a, b, null),
  backward: (g, { saved: [a, b], needs, args }) => [
    needs[0] ? mat1Grad(g, b, args.colMajor[0]) : null,
    needs[1] ? mat2Grad(g, a, args.colMajor[1]) : null,
  ],
};

/**
 * PyTorch's mm_mat1_backward: a column-major mat1 (a transposed view) gets its gradient
 * computed column-major too, so the transpose's backward hands a contiguous gradient on and
 * AccumulateGrad need not copy it.
 */
function mat1Grad(g: Tensor, b: Tensor, aColumnMajor: boolean): Tensor {
  return aColumnMajor ? b.mm(g.t()).t() : g.mm(b.t());
}

/** PyTorch's mm_mat2_backward: Linear's `weight.t()` is column-major, so its weight's gradient comes out contiguous. */
function mat2Grad(g: Tensor, a: Tensor, bColumnMajor: boolean): Tensor {
  return bColumnMajor ? g.t().mm(a).t() : a.t().mm(g);
}

export const Addmm: Primitive<MmArgs> = {
  name: 'AddmmBackward0',
  arity: 3,
  saves: [1, 2],
  savedFor: [[2], [1]],
  forward: ([bias, a, b]) => mmKernel(a, b, bias),
  backward: (g, { saved: [a, b], needs, shapes, args }) => [
    needs[0] ? sumTo(g, shapes[0]) : null,
    needs[1] ? mat1Grad(g, b, args.colMajor[0]) : null,
    needs[2] ? mat2Grad(g, a, args.colMajor[1]) : null,
  ],
};

export const Dot: Primitive = {
  name: 'DotBackward0',
  arity: 2,
  saves: [0, 1],
  forward: ([a, b]) => {
    if (a.shape[0] !== b.shape[0]) {
      throw new Error(
        `inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`,
      );
    }
    const dtype = matmulDtype(a, b);
    const x = contiguousData(a);
    const y = contiguousData(b);
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
    const out = allocate(dtype, 1);
    out[0] = s;
    return fromStorage(out, [], dtype);
  },
  backward: (g, { saved: [a, b], needs }) => [
    needs[0] ? b.mul(g) : null,
    needs[1] ? a.mul(g) : null,
  ],
};

export const Mv: Primitive = {
  name: 'MvBackward0',
  arity: 2,
  saves: [0, 1],
  forward: ([m, v]) => {
    const [rows, cols] = m.shape;
    if (cols !== v.shape[0]) {
      throw new Error(
        `size mismatch, got input (${rows}), mat (${rows}x${cols}), vec (${v.shape[0]})`,
      );
    }
    const dtype = matmulDtype(m, v);
    const c = allocate(dtype, rows);
    gemmABt(contiguousData(m), contiguousData(v), c, rows, cols, 1);
    return fromStorage(c, [rows], dtype);
  },
  backward: (g, { saved: [m, v], needs }) => [
    needs[0] ? g.unsqueeze(1).mm(v.unsqueeze(0)) : null,
    needs[1] ? m.t().mv(g) : null,
  ],
};

export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 2) throw new Error(`self must be a matrix`);
  if (b.dim() !== 2) throw new Error(`mat2 must be a matrix`);
  return apply(Mm, [a, b], layoutOf(a, b));
}

export function addmm(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 2 || b.dim() !== 2) throw new Error('addmm(): mat1 and mat2 must be matrices');
  // PyTorch expands the bias to the product's shape first, so a bias that does not fit gets
  // expand's error (the kernel would otherwise read past it).
  if (a.shape[1] === b.shape[0]) noGrad(() => expand(bias, [a.shape[0], b.shape[1]]));
  return apply(Addmm, [bias, a, b], layoutOf(a, b));
}

/** PyTorch's `matmul` dispatch for 1-D and 2-D operands, and batched by folding to 2-D. */
export const Bmm: Primitive = {
  name: 'BmmBackward0',
  arity: 2,
  saves: [0, 1],
  forward: ([a, b]) => {
    const [batch, n, m] = a.shape;
    const [batchB, m2, p] = b.shape;
    if (batch !== batchB || m !== m2) {
      throw new Error(
        `Expected size for first two dimensions of batch2 tensor to be: [${batch}, ${m}] but got: [${batchB}, ${m2}].`,
      );
    }
    const dtype = matmulDtype(a, b);
    const out = allocate(dtype, batch * n * p);
    for (let i = 0; i < batch; i++) {
      const ai = a._view([n, m], [a._strides[1], a._strides[2]], a._offset + i * a._strides[0]);
      const bi = b._view([m, p], [b._strides[1], b._strides[2]], b._offset + i * b._strides[0]);
      out.set(mmKernel(ai, bi, null)._data, i * n * p);
    }
    return fromStorage(out, [batch, n, p], dtype);
  },
  backward: (g, { saved: [a, b], needs }) => [
    needs[0] ? apply(Bmm, [g, b.transpose(1, 2)], undefined) : null,
    needs[1] ? apply(Bmm, [a.transpose(1, 2), g], undefined) : null,
  ],
};

/**
 * PyTorch's `matmul` dispatch, node for node: dot, mv, mm; N-D @ 1-D/2-D folds the batch
 * into rows (view, mm, _unsafe_view); otherwise the batch dims broadcast into one bmm.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const da = a.dim();
  const db = b.dim();
  if (da === 0 || db === 0) {
    throw new Error(
      `both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`,
    );
  }
  if (da === 1 && db === 1) return apply(Dot, [a, b], undefined);
  if (da === 2 && db === 1) return apply(Mv, [a, b], undefined);
  if (da === 1 && db === 2) return mm(a.unsqueeze(0), b).squeeze(0);
  if (da === 2 && db === 2) return mm(a, b);
  if (da >= 3 && db <= 2) {
    const k = a.shape[da - 1];
    const lead = a.shape.slice(0, -1);
    const folded = a.reshape(-1, k);
    const out = db === 2 ? mm(folded, b) : apply(Mv, [folded, b], undefined);
    return apply(UnsafeView, [out], { shape: db === 2 ? [...lead, b.shape[1]] : lead });
  }
  // Batched: 1-D operands become a row/column, batch dims broadcast, one bmm.
  const a3 = da === 1 ? a.unsqueeze(0) : a;
  const b3 = db === 1 ? b.unsqueeze(1) : b;
  const [n, m] = a3.shape.slice(-2);
  const [m2, p] = b3.shape.slice(-2);
  const batch = broadcastShapes(a3.shape.slice(0, -2), b3.shape.slice(0, -2));
  const total = batch.reduce((x, y) => x * y, 1);
  const ea = a3.expand(...batch, n, m).reshape(total, n, m);
  const eb = b3.expand(...batch, m2, p).reshape(total, m2, p);
  const out = apply(Bmm, [ea, eb], undefined);
  const shape = [...batch];
  if (da > 1) shape.push(n);
  if (db > 1) shape.push(p);
  return apply(UnsafeView, [out], { shape });
}

/** Batched matrix product of two 3-D tensors, without broadcasting (PyTorch's `bmm`). */
export function bmm(a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 3) throw new Error('batch1 must be a 3D tensor');
  if (b.dim() !== 3) throw new Error('batch2 must be a 3D tensor');
  return apply(Bmm, [a, b], undefined);
}
