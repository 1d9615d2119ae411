// Products and norms: `prod` (of all elements or along a dim) and the Euclidean `norm`.
// Forward kernels run without history; backward formulas are tensor ops, so createGraph
// gives second derivatives.
import { allocate, isFloating, type DType } from '../dtype';
import { noGrad } from '../grad-mode';
import { wrapDim } from '../shape';
import type { Tensor } from '../tensor';
import { where } from './elementwise';
import { contiguousData, fromStorage, splitAround } from './kernels';
import { apply, type Primitive } from './op';
import { reduceDims, unsqueezeReduced, type DimArgs } from './reduce';
import type { DimOnly } from './statistics';

function prodKernel(a: Tensor, dim: number, keepdim: boolean): Tensor {
  const dtype: DType = isFloating(a.dtype) ? a.dtype : 'int64';
  const src = contiguousData(a);
  const [outer, size, inner] = a.dim() === 0 ? [1, 1, 1] : splitAround(a.shape, dim);
  const out = allocate(dtype, outer * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let acc = 1;
      for (let k = 0; k < size; k++) acc *= src[o * size * inner + k * inner + i];
      out[o * inner + i] = acc;
    }
  const shape = a.shape.slice();
  if (keepdim) shape[dim] = 1;
  else shape.splice(dim, 1);
  return fromStorage(out, shape, dtype);
}

/**
 * For each element, the product of the others along `dim`: out / x where no element is zero
 * (as PyTorch), else each product taken again with that element replaced by one.
 */
function productOfOthers(x: Tensor, out: Tensor, dim: number): Tensor {
  // `out` keeps the reduced dim (size 1), so it broadcasts against x.
  if (!contiguousData(x).includes(0)) return out.div(x);
  const n = x.shape[dim];
  const expanded = x.unsqueeze(dim).expand(...x.shape.slice(0, dim), n, ...x.shape.slice(dim));
  const eye = noGrad(() => {
    const e = fromStorage(allocate('bool', n * n), [n, n], 'bool');
    for (let k = 0; k < n; k++) e._data[k * n + k] = 1;
    return e.reshape(n, n, ...new Array<number>(x.dim() - dim - 1).fill(1));
  });
  return where(eye, 1, expanded).prod(dim + 1);
}

export const Prod: Primitive = {
  name: 'ProdBackward0',
  arity: 1,
  saves: [0, 'out'],
  forward: ([a]) => prodKernel(fromStorage(contiguousData(a), [a.numel()], a.dtype), 0, false),
  backward: (g, { saved: [x, y] }) => [
    g.mul(productOfOthers(x.reshape(-1), y.reshape(1), 0)).reshape(...x.shape),
  ],
};

export const ProdDim: Primitive<DimOnly> = {
  name: 'ProdBackward1',
  arity: 1,
  saves: [0, 'out'],
  forward: ([a], { dim, keepdim }) => prodKernel(a, dim, keepdim),
  backward: (g, { saved: [x, y], args: { dim, keepdim } }) => {
    if (x.dim() === 0) return [g];
    const keep = (t: Tensor) => (keepdim ? t : t.unsqueeze(dim));
    return [keep(g).mul(productOfOthers(x, keep(y), dim))];
  },
};

export function prod(x: Tensor, dim?: number, keepdim = false): Tensor {
  if (dim === undefined) return apply(Prod, [x], undefined);
  return apply(ProdDim, [x], { dim: wrapDim(dim, Math.max(x.dim(), 1)), keepdim });
}

/**
 * √Σx² over `dims`. PyTorch 2.x records `x.norm()` as LinalgVectorNormBackward0 (1.13:
 * NormBackward1); the gradient is x / norm, zero where the norm is zero.
 */
export const Norm: Primitive<DimArgs> = {
  name: 'LinalgVectorNormBackward0',
  arity: 1,
  saves: [0, 'out'],
  forward: ([a], { dims, keepdim }) => {
    const list = dims.flatMap((d, i) => (d ? [i] : []));
    return noGrad(() => (list.length === 0 ? a.abs() : a.mul(a).sum(list, keepdim).sqrt()));
  },
  backward: (g, { saved: [x, y], args }) => {
    const norm = unsqueezeReduced(y, args);
    const scale = unsqueezeReduced(g, args).div(norm).maskedFill(norm.eq(0), 0);
    return [x.mul(scale)];
  },
};

export function norm(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  if (!isFloating(x.dtype)) {
    throw new Error(
      `linalg.vector_norm: Expected a floating point or complex tensor as input. Got ${x.dtype === 'int64' ? 'Long' : 'Bool'}`,
    );
  }
  return apply(Norm, [x], { dims: reduceDims(dim, x.dim()), keepdim });
}
