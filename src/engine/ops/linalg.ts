// Matrix products. One blocked i-k-j kernel serves mm, addmm, mv and dot; operands are made
// contiguous first (a transpose copy is O(n^2) against the product's O(n^3)).
import { allocate, isFloating, promote, type DType, type Storage } from '../dtype';
import type { Tensor } from '../tensor';
import { broadcastView, contiguousData, fromStorage } from './kernels';
import { stack } from './views';
import { apply, type Primitive } from './op';
import { sumTo } from './reduce';

const BLOCK_J = 256;
const BLOCK_P = 128;

/** C[m,n] += A[m,k] @ B[k,n], all row-major. */
export function gemm(a: ArrayLike<number>, b: ArrayLike<number>, c: Storage, m: number, k: number, n: number): void {
  for (let j0 = 0; j0 < n; j0 += BLOCK_J) {
    const j1 = Math.min(n, j0 + BLOCK_J);
    for (let p0 = 0; p0 < k; p0 += BLOCK_P) {
      const p1 = Math.min(k, p0 + BLOCK_P);
      for (let i = 0; i < m; i++) {
        const crow = i * n;
        const arow = i * k;
        for (let p = p0; p < p1; p++) {
          const av = a[arow + p];
          if (av === 0) continue;
          const brow = p * n;
          for (let j = j0; j < j1; j++) c[crow + j] += av * b[brow + j];
        }
      }
    }
  }
}

function matmulDtype(a: Tensor, b: Tensor): DType {
  if (a.dtype !== b.dtype) {
    throw new Error(`expected scalar type ${a.dtype === 'float64' ? 'Double' : 'Float'} but found ${b.dtype === 'float64' ? 'Double' : 'Float'}`);
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
  const c = allocate(dtype, m * n);
  if (bias !== null) {
    // Bias broadcast into C first, so the product accumulates on top of it.
    c.set(contiguousData(broadcastView(bias, [m, n])));
  }
  gemm(contiguousData(a), contiguousData(b), c, m, k, n);
  return fromStorage(c, [m, n], dtype);
}

export const Mm: Primitive = {
  name: 'MmBackward0',
  arity: 2,
  saves: [0, 1],
  forward: ([a, b]) => mmKernel(a, b, null),
  backward: (g, { saved: [a, b], needs }) => [needs[0] ? g.mm(b.t()) : null, needs[1] ? a.t().mm(g) : null],
};

export const Addmm: Primitive = {
  name: 'AddmmBackward0',
  arity: 3,
  saves: [1, 2],
  forward: ([bias, a, b]) => mmKernel(a, b, bias),
  backward: (g, { saved: [a, b], needs, shapes }) => [
    needs[0] ? sumTo(g, shapes[0]) : null,
    needs[1] ? g.mm(b.t()) : null,
    needs[2] ? a.t().mm(g) : null,
  ],
};

export const Dot: Primitive = {
  name: 'DotBackward0',
  arity: 2,
  saves: [0, 1],
  forward: ([a, b]) => {
    if (a.shape[0] !== b.shape[0]) {
      throw new Error(`inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`);
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
  backward: (g, { saved: [a, b], needs }) => [needs[0] ? b.mul(g) : null, needs[1] ? a.mul(g) : null],
};

export const Mv: Primitive = {
  name: 'MvBackward0',
  arity: 2,
  saves: [0, 1],
  forward: ([m, v]) => {
    const [rows, cols] = m.shape;
    if (cols !== v.shape[0]) {
      throw new Error(`size mismatch, got input (${rows}), mat (${rows}x${cols}), vec (${v.shape[0]})`);
    }
    const dtype = matmulDtype(m, v);
    const c = allocate(dtype, rows);
    gemm(contiguousData(m), contiguousData(v), c, rows, cols, 1);
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
  return apply(Mm, [a, b], undefined);
}

export function addmm(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  if (a.dim() !== 2 || b.dim() !== 2) throw new Error('addmm(): mat1 and mat2 must be matrices');
  return apply(Addmm, [bias, a, b], undefined);
}

/** PyTorch's `matmul` dispatch for 1-D and 2-D operands, and batched by folding to 2-D. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const da = a.dim();
  const db = b.dim();
  if (da === 0 || db === 0) {
    throw new Error(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  }
  if (da === 1 && db === 1) return apply(Dot, [a, b], undefined);
  if (da === 2 && db === 1) return apply(Mv, [a, b], undefined);
  if (da === 1 && db === 2) return mm(a.unsqueeze(0), b).squeeze(0);
  if (da === 2 && db === 2) return mm(a, b);
  if (db <= 2) {
    // (..., n, k) @ (k, m): fold the batch into the rows, as PyTorch does.
    const k = a.shape[da - 1];
    const lead = a.shape.slice(0, -1);
    const out = mm(a.reshape(-1, k), db === 1 ? b.unsqueeze(1) : b);
    return db === 1 ? out.reshape(...lead) : out.reshape(...lead, b.shape[1]);
  }
  // Batched: broadcast the batch dims and loop over them.
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const aa = da === 1 ? a.unsqueeze(0) : a;
  const n = batchA.length >= batchB.length ? batchA : batchB;
  const total = n.reduce((p, q) => p * q, 1);
  const ea = aa.expand(...n, ...aa.shape.slice(-2)).reshape(total, ...aa.shape.slice(-2));
  const eb = b.expand(...n, ...b.shape.slice(-2)).reshape(total, ...b.shape.slice(-2));
  const outs: Tensor[] = [];
  for (let i = 0; i < total; i++) outs.push(mm(ea.select(0, i), eb.select(0, i)));
  const stacked = stack(outs, 0);
  const result = stacked.reshape(...n, ...stacked.shape.slice(-2));
  return da === 1 ? result.squeeze(-2) : result;
}
