// Shape primitives. The view ops (view, t, transpose, permute, expand, squeeze, unsqueeze,
// select, narrow) return strided views that share storage and the version counter.
import { allocate, promote } from '../dtype';
import {
  contiguousStrides,
  formatShape,
  inferShape,
  numelOf,
  viewStrides,
  wrapDim,
} from '../shape';
import type { Tensor } from '../tensor';
import { contiguousData, fromStorage, isContiguous, scatterStrided } from './kernels';
import { apply, type Primitive } from './op';
import { sumTo } from './reduce';

interface ShapeArgs {
  readonly shape: number[];
}

function viewKernel(a: Tensor, shape: number[]): Tensor {
  const strides = isContiguous(a)
    ? contiguousStrides(shape)
    : viewStrides(a.shape, a._strides, shape);
  if (strides === null) {
    throw new Error(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans " +
        'across two contiguous subspaces). Use .reshape(...) instead.',
    );
  }
  return a._view(shape, strides, a._offset);
}

export const View: Primitive<ShapeArgs> = {
  name: 'ViewBackward0',
  arity: 1,
  forward: ([a], { shape }) => viewKernel(a, shape),
  backward: (g, { shapes }) => [g.reshape(...shapes[0])],
};

interface PermuteArgs {
  readonly dims: number[];
}

function permuteKernel(a: Tensor, dims: readonly number[]): Tensor {
  return a._view(
    dims.map((d) => a.shape[d]),
    dims.map((d) => a._strides[d]),
    a._offset,
  );
}

function inversePermutation(dims: readonly number[]): number[] {
  const inv = new Array<number>(dims.length);
  dims.forEach((d, i) => (inv[d] = i));
  return inv;
}

export const T: Primitive = {
  name: 'TBackward0',
  arity: 1,
  forward: ([a]) =>
    a.dim() < 2
      ? a._view(a.shape.slice(), a._strides.slice(), a._offset)
      : permuteKernel(a, [1, 0]),
  backward: (g) => [g.t()],
};

interface TransposeArgs {
  readonly d0: number;
  readonly d1: number;
}

function swapDims(n: number, d0: number, d1: number): number[] {
  const dims = Array.from({ length: n }, (_, i) => i);
  dims[d0] = d1;
  dims[d1] = d0;
  return dims;
}

export const Transpose: Primitive<TransposeArgs> = {
  name: 'TransposeBackward0',
  arity: 1,
  forward: ([a], { d0, d1 }) => permuteKernel(a, swapDims(a.dim(), d0, d1)),
  backward: (g, { args: { d0, d1 } }) => [g.transpose(d0, d1)],
};

export const Permute: Primitive<PermuteArgs> = {
  name: 'PermuteBackward0',
  arity: 1,
  forward: ([a], { dims }) => permuteKernel(a, dims),
  backward: (g, { args: { dims } }) => [g.permute(...inversePermutation(dims))],
};

export const Expand: Primitive<ShapeArgs> = {
  name: 'ExpandBackward0',
  arity: 1,
  forward: ([a], { shape }) => {
    const lead = shape.length - a.dim();
    const strides = shape.map((s, i) => {
      const d = i - lead;
      if (d < 0) return 0;
      if (a.shape[d] === s) return a._strides[d];
      if (a.shape[d] !== 1) {
        throw new Error(
          `The expanded size of the tensor (${s}) must match the existing size (${a.shape[d]}) at non-singleton dimension ${i}.  Target sizes: ${formatShape(shape)}.  Tensor sizes: ${formatShape(a.shape)}`,
        );
      }
      return 0;
    });
    return a._view(shape, strides, a._offset);
  },
  // sumTo lives in reduce.ts; the method keeps this file free of a cycle.
  backward: (g, { shapes }) => [sumTo(g, shapes[0])],
};

interface DimArg {
  readonly dim: number;
}

export const Squeeze: Primitive = {
  name: 'SqueezeBackward0',
  arity: 1,
  forward: ([a]) => {
    const keep = a.shape.map((s) => s !== 1);
    return a._view(
      a.shape.filter((_, i) => keep[i]),
      a._strides.filter((_, i) => keep[i]),
      a._offset,
    );
  },
  backward: (g, { shapes }) => [g.reshape(...shapes[0])],
};

export const SqueezeDim: Primitive<DimArg> = {
  name: 'SqueezeBackward1',
  arity: 1,
  forward: ([a], { dim }) => {
    if (a.dim() === 0 || a.shape[dim] !== 1)
      return a._view(a.shape.slice(), a._strides.slice(), a._offset);
    return a._view(
      a.shape.filter((_, i) => i !== dim),
      a._strides.filter((_, i) => i !== dim),
      a._offset,
    );
  },
  backward: (g, { shapes }) => [g.reshape(...shapes[0])],
};

export const Unsqueeze: Primitive<DimArg> = {
  name: 'UnsqueezeBackward0',
  arity: 1,
  forward: ([a], { dim }) => {
    const shape = a.shape.slice();
    const strides = a._strides.slice();
    const stride = dim < a.dim() ? a.shape[dim] * a._strides[dim] : 1;
    shape.splice(dim, 0, 1);
    strides.splice(dim, 0, stride);
    return a._view(shape, strides, a._offset);
  },
  backward: (g, { args: { dim } }) => [g.squeeze(dim)],
};

interface SelectArgs {
  readonly dim: number;
  readonly index: number;
}

function selectKernel(a: Tensor, dim: number, index: number): Tensor {
  return a._view(
    a.shape.filter((_, i) => i !== dim),
    a._strides.filter((_, i) => i !== dim),
    a._offset + index * a._strides[dim],
  );
}

interface NarrowArgs {
  readonly dim: number;
  readonly start: number;
  readonly length: number;
}

function narrowKernel(a: Tensor, dim: number, start: number, length: number): Tensor {
  const shape = a.shape.slice();
  shape[dim] = length;
  return a._view(shape, a._strides.slice(), a._offset + start * a._strides[dim]);
}

/** The input-shaped zeros with `g` written into the selected slice. */
export const SelectBackward: Primitive<SelectArgs & { readonly inputShape: number[] }> = {
  name: 'SelectBackwardBackward0',
  arity: 1,
  forward: ([g], { dim, index, inputShape }) => {
    const out = fromStorage(allocate(g.dtype, numelOf(inputShape)), inputShape.slice(), g.dtype);
    scatterStrided(selectKernel(out, dim, index), contiguousData(g));
    return out;
  },
  backward: (gg, { args: { dim, index } }) => [gg.select(dim, index)],
};

export const SliceBackward: Primitive<NarrowArgs & { readonly inputShape: number[] }> = {
  name: 'SliceBackwardBackward0',
  arity: 1,
  forward: ([g], { dim, start, length, inputShape }) => {
    const out = fromStorage(allocate(g.dtype, numelOf(inputShape)), inputShape.slice(), g.dtype);
    scatterStrided(narrowKernel(out, dim, start, length), contiguousData(g));
    return out;
  },
  backward: (gg, { args: { dim, start, length } }) => [gg.narrow(dim, start, length)],
};

export const Select: Primitive<SelectArgs> = {
  name: 'SelectBackward0',
  arity: 1,
  forward: ([a], { dim, index }) => selectKernel(a, dim, index),
  backward: (g, { shapes, args }) => [
    apply(SelectBackward, [g], { ...args, inputShape: shapes[0].slice() }),
  ],
};

export const Narrow: Primitive<NarrowArgs> = {
  name: 'SliceBackward0',
  arity: 1,
  forward: ([a], { dim, start, length }) => narrowKernel(a, dim, start, length),
  backward: (g, { shapes, args }) => [
    apply(SliceBackward, [g], { ...args, inputShape: shapes[0].slice() }),
  ],
};

export const Clone: Primitive = {
  name: 'CloneBackward0',
  arity: 1,
  forward: ([a]) => {
    const src = contiguousData(a);
    return fromStorage(src === a._data ? src.slice() : src.slice(), a.shape.slice(), a.dtype);
  },
  backward: (g) => [g],
};

/** reshape's view of its own contiguous copy: PyTorch records `_unsafe_view`, not `view`. */
export const UnsafeView: Primitive<ShapeArgs> = { ...View, name: 'UnsafeViewBackward0' };

export const Cat: Primitive<DimArg> = {
  name: 'CatBackward0',
  arity: -1,
  forward: (inputs, { dim }) => {
    const ref = inputs.find((t) => t.dim() > 0 || t.numel() > 0) ?? inputs[0];
    const shape = ref.shape.slice();
    let dtype = inputs[0].dtype;
    let total = 0;
    for (const t of inputs) {
      dtype = promote(dtype, t.dtype);
      if (t.dim() !== ref.dim()) {
        throw new Error(
          `Tensors must have same number of dimensions: got ${ref.dim()} and ${t.dim()}`,
        );
      }
      for (let i = 0; i < shape.length; i++) {
        if (i !== dim && t.shape[i] !== shape[i]) {
          throw new Error(
            `Sizes of tensors must match except in dimension ${dim}. Expected size ${shape[i]} but got size ${t.shape[i]} for tensor number ${inputs.indexOf(t)} in the list.`,
          );
        }
      }
      total += t.shape[dim];
    }
    shape[dim] = total;
    const out = fromStorage(allocate(dtype, numelOf(shape)), shape, dtype);
    let start = 0;
    for (const t of inputs) {
      scatterStrided(narrowKernel(out, dim, start, t.shape[dim]), contiguousData(t));
      start += t.shape[dim];
    }
    return out;
  },
  backward: (g, { shapes, needs, args: { dim } }) => {
    let start = 0;
    return shapes.map((s, i) => {
      const piece = needs[i] ? g.narrow(dim, start, s[dim]) : null;
      start += s[dim];
      return piece;
    });
  },
};

export const Stack: Primitive<DimArg> = {
  name: 'StackBackward0',
  arity: -1,
  forward: (inputs, { dim }) => {
    const shape = inputs[0].shape;
    for (const t of inputs) {
      if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
        throw new Error(
          `stack expects each tensor to be equal size, but got ${formatShape(shape)} at entry 0 and ${formatShape(t.shape)} at entry ${inputs.indexOf(t)}`,
        );
      }
    }
    return Cat.forward(
      inputs.map((t) => Unsqueeze.forward([t], { dim })),
      { dim },
    );
  },
  backward: (g, { needs, args: { dim } }) => needs.map((n, i) => (n ? g.select(dim, i) : null)),
};

// Entry points that validate arguments and pick the primitive.

export function view(t: Tensor, shape: readonly number[]): Tensor {
  return apply(View, [t], { shape: inferShape(shape, t.numel()) });
}

export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, t.numel());
  // Like PyTorch: a view whenever the strides allow one, else a copy viewed as `_unsafe_view`.
  if (isContiguous(t) || viewStrides(t.shape, t._strides, target) !== null)
    return apply(View, [t], { shape: target });
  return apply(UnsafeView, [apply(Clone, [t], undefined)], { shape: target });
}

export function transpose(t: Tensor, d0: number, d1: number): Tensor {
  const n = t.dim();
  return apply(Transpose, [t], { d0: wrapDim(d0, n), d1: wrapDim(d1, n) });
}

export function t(x: Tensor): Tensor {
  if (x.dim() > 2)
    throw new Error(`t() expects a tensor with <= 2 dimensions, but self is ${x.dim()}D`);
  return apply(T, [x], undefined);
}

export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.dim()) {
    throw new Error(
      `permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${x.dim()} is not equal to len(dims) = ${dims.length}`,
    );
  }
  return apply(Permute, [x], { dims: dims.map((d) => wrapDim(d, x.dim())) });
}

export function expand(x: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < x.dim()) {
    throw new Error(
      `expand(torch.FloatTensor{${formatShape(x.shape)}}, size=${formatShape(sizes)}): the number of sizes provided (${sizes.length}) must be greater or equal to the number of dimensions in the tensor (${x.dim()})`,
    );
  }
  const lead = sizes.length - x.dim();
  const shape = sizes.map((s, i) => (s === -1 ? x.shape[i - lead] : s));
  return apply(Expand, [x], { shape });
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return apply(Squeeze, [x], undefined);
  return apply(SqueezeDim, [x], { dim: wrapDim(dim, x.dim()) });
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  return apply(Unsqueeze, [x], { dim: wrapDim(dim, x.dim() + 1) });
}

export function select(x: Tensor, dim: number, index: number): Tensor {
  if (x.dim() === 0) throw new Error('select() cannot be applied to a 0-dim tensor.');
  const d = wrapDim(dim, x.dim());
  const size = x.shape[d];
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new Error(
      `select(): index ${index} out of range for tensor of size ${formatShape(x.shape)} at dimension ${d}`,
    );
  }
  return apply(Select, [x], { dim: d, index: index < 0 ? index + size : index });
}

export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = wrapDim(dim, x.dim());
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (s < 0 || length < 0 || s + length > size) {
    throw new Error(`start (${start}) + length (${length}) exceeds dimension size (${size}).`);
  }
  return apply(Narrow, [x], { dim: d, start: s, length });
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.dim() === 0) return reshape(x, [1]);
  const s = wrapDim(startDim, x.dim());
  const e = wrapDim(endDim, x.dim());
  if (s > e) throw new Error('flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return x;
  const shape = [
    ...x.shape.slice(0, s),
    x.shape.slice(s, e + 1).reduce((p, q) => p * q, 1),
    ...x.shape.slice(e + 1),
  ];
  return reshape(x, shape);
}

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('torch.cat(): expected a non-empty list of Tensors');
  const scalar = tensors.findIndex((t) => t.dim() === 0);
  if (scalar >= 0)
    throw new Error(`zero-dimensional tensor (at position ${scalar}) cannot be concatenated`);
  return apply(Cat, tensors.slice(), { dim: wrapDim(dim, tensors[0].dim()) });
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack expects a non-empty TensorList');
  return apply(Stack, tensors.slice(), { dim: wrapDim(dim, tensors[0].dim() + 1) });
}

export function clone(x: Tensor): Tensor {
  return apply(Clone, [x], undefined);
}

export function contiguous(x: Tensor): Tensor {
  return isContiguous(x) ? x : clone(x);
}

interface IndexArgs {
  readonly dim: number;
  readonly index: Int32Array;
}

/** Copies slices `index[i]` of `src` along `dim` into slice i of the result (or adds them back). */
function gatherAlong(
  src: Tensor,
  dim: number,
  index: Int32Array,
  outShape: number[],
  scatter: boolean,
): Tensor {
  const data = contiguousData(src);
  const out = allocate(src.dtype, numelOf(outShape));
  const big = scatter ? outShape : src.shape;
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= big[i];
  for (let i = dim + 1; i < big.length; i++) inner *= big[i];
  const bigSize = big[dim];
  const n = index.length;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const from = scatter ? (o * n + i) * inner : (o * bigSize + index[i]) * inner;
      const to = scatter ? (o * bigSize + index[i]) * inner : (o * n + i) * inner;
      if (scatter) for (let k = 0; k < inner; k++) out[to + k] += data[from + k];
      else for (let k = 0; k < inner; k++) out[to + k] = data[from + k];
    }
  }
  return fromStorage(out, outShape, src.dtype);
}

/**
 * The input-shaped zeros with each gradient slice added at its index (repeats add up).
 * PyTorch records `zeros.index_add_(dim, index, grad)`: two inputs, the zeros without grad.
 */
export const IndexAdd: Primitive<IndexArgs & { readonly inputShape: number[] }> = {
  name: 'IndexAddBackward0',
  arity: 2,
  forward: ([, g], { dim, index, inputShape }) =>
    gatherAlong(g, dim, index, inputShape.slice(), true),
  backward: (gg, { args: { dim, index } }) => [null, apply(IndexSelect, [gg], { dim, index })],
};

export const IndexSelect: Primitive<IndexArgs> = {
  name: 'IndexSelectBackward0',
  arity: 1,
  forward: ([a], { dim, index }) => {
    const shape = a.shape.slice();
    shape[dim] = index.length;
    return gatherAlong(a, dim, index, shape, false);
  },
  backward: (g, { shapes, args }) => [
    apply(IndexAdd, [fromStorage(allocate(g.dtype, 1), [], g.dtype), g], {
      ...args,
      inputShape: shapes[0].slice(),
    }),
  ],
};

export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = wrapDim(dim, x.dim());
  if (index.dtype !== 'int64' || index.dim() > 1) {
    throw new Error('index_select(): Expected dtype int64 for index, and index to be a vector');
  }
  const idx = Int32Array.from(contiguousData(index));
  for (const i of idx) {
    if (i < 0 || i >= x.shape[d]) throw new Error(`index out of range in self`);
  }
  return apply(IndexSelect, [x], { dim: d, index: idx });
}
