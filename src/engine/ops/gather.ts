// Picking elements by index along a dim: `gather`, its adjoint `scatterAdd` (gather's
// backward, and the backward of max/min along a dim), and `max(dim)` / `min(dim)`.
import { allocate, type DType } from '../dtype';
import { contiguousStrides, numelOf, wrapDim } from '../shape';
import type { Tensor } from '../tensor';
import { contiguousData, fromStorage, splitAround } from './kernels';
import { apply, type Primitive } from './op';

export interface GatherArgs {
  readonly dim: number;
  /** int64 positions along `dim`, row-major, with shape `indexShape`. */
  readonly index: Int32Array;
  readonly indexShape: readonly number[];
}

/**
 * For each position p of the index, the flat offset of the element it names in a contiguous
 * tensor of `shape`: p's coordinates, with `index[p]` along `dim`.
 */
function offsets(shape: readonly number[], { dim, index, indexShape }: GatherArgs): Int32Array {
  const strides = contiguousStrides(shape.slice());
  const out = new Int32Array(index.length);
  const coord = new Array<number>(indexShape.length).fill(0);
  for (let p = 0; p < index.length; p++) {
    let at = 0;
    for (let d = 0; d < coord.length; d++) at += (d === dim ? index[p] : coord[d]) * strides[d];
    out[p] = at;
    for (let d = coord.length - 1; d >= 0; d--) {
      if (++coord[d] < indexShape[d]) break;
      coord[d] = 0;
    }
  }
  return out;
}

export const Gather: Primitive<GatherArgs> = {
  name: 'GatherBackward0',
  arity: 1,
  forward: ([a], args) => {
    const src = contiguousData(a);
    const at = offsets(a.shape, args);
    const out = allocate(a.dtype, at.length);
    for (let p = 0; p < at.length; p++) out[p] = src[at[p]];
    return fromStorage(out, args.indexShape.slice(), a.dtype);
  },
  backward: (g, { shapes, args }) => [scatterAddInto(shapes[0], g, args)],
};

/**
 * Zeros of `inputShape` with each element of the second input added at its index. Like
 * PyTorch's `zeros.scatter_add_(dim, index, src)`: two inputs, the zeros without grad.
 */
export const ScatterAdd: Primitive<GatherArgs & { readonly inputShape: readonly number[] }> = {
  name: 'ScatterAddBackward0',
  arity: 2,
  forward: ([, src], args) => {
    const data = contiguousData(src);
    const at = offsets(args.inputShape, args);
    const out = allocate(src.dtype, numelOf(args.inputShape));
    for (let p = 0; p < at.length; p++) out[at[p]] += data[p];
    return fromStorage(out, args.inputShape.slice(), src.dtype);
  },
  backward: (gg, { needs, args }) => [null, needs[1] ? apply(Gather, [gg], args) : null],
};

function scatterAddInto(shape: readonly number[], g: Tensor, args: GatherArgs): Tensor {
  const zeros = fromStorage(allocate(g.dtype, 1), [], g.dtype);
  return apply(ScatterAdd, [zeros, g], { ...args, inputShape: shape });
}

function indexArgs(x: Tensor, dim: number, index: Tensor, op: string): GatherArgs {
  if (index.dtype !== 'int64') throw new Error(`${op}(): Expected dtype int64 for index`);
  if (index.dim() !== x.dim() && !(x.dim() <= 1 && index.dim() <= 1)) {
    throw new Error('Index tensor must have the same number of dimensions as input tensor');
  }
  const d = wrapDim(dim, x.dim());
  const values = Int32Array.from(contiguousData(index));
  const size = x.dim() === 0 ? 1 : x.shape[d];
  for (const i of values) {
    if (i < -size || i >= size)
      throw new Error(`index ${i} is out of bounds for dimension ${d} with size ${size}`);
  }
  for (let k = 0; k < values.length; k++) if (values[k] < 0) values[k] += size;
  return { dim: d, index: values, indexShape: index.shape.slice() };
}

export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const args = indexArgs(x, dim, index, 'gather');
  for (let d = 0; d < index.dim(); d++) {
    if (d !== args.dim && index.shape[d] > x.shape[d]) {
      throw new Error(
        `Size does not match at dimension ${d} expected index [${index.shape.join(', ')}] to be smaller than self [${x.shape.join(', ')}] apart from dimension ${args.dim}`,
      );
    }
  }
  return apply(Gather, [x], args);
}

export interface ExtremumArgs extends GatherArgs {
  readonly keepdim: boolean;
}

/** The picked values along a dim; its gradient goes to the picked positions only. */
export function extremumAlong(name: string): Primitive<ExtremumArgs> {
  return {
    name,
    arity: 1,
    forward: ([a], args) => {
      const picked = Gather.forward([a], args);
      return args.keepdim ? picked : picked.squeeze(args.dim);
    },
    backward: (g, { shapes, args }) => [
      scatterAddInto(shapes[0], args.keepdim ? g : g.unsqueeze(args.dim), args),
    ],
  };
}

export const MaxDim = extremumAlong('MaxBackward0');
export const MinDim = extremumAlong('MinBackward0');

/** Index of the first largest (or smallest) element of each slice along `dim`, keepdim. */
function pickAlong(
  x: Tensor,
  dim: number,
  better: (v: number, best: number) => boolean,
): Int32Array {
  const src = contiguousData(x);
  const [outer, size, inner] = splitAround(x.shape, dim);
  const out = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let best = 0;
      for (let k = 1; k < size; k++) {
        const v = src[base + k * inner];
        const b = src[base + best * inner];
        if (Number.isNaN(b)) break;
        if (Number.isNaN(v) || better(v, b)) best = k;
      }
      out[o * inner + i] = best;
    }
  return out;
}

export interface ValuesIndices {
  values: Tensor;
  indices: Tensor;
}

/** `x.max(dim)` / `x.min(dim)`: the values (with history) and their int64 indices. */
export function extremumDim(x: Tensor, dim: number, keepdim: boolean, max: boolean): ValuesIndices {
  const d = wrapDim(dim, x.dim());
  if (x.dim() > 0 && x.shape[d] === 0) {
    throw new Error(`${max ? 'max' : 'min'}(): Expected reduction dim ${d} to have non-zero size.`);
  }
  const index = pickAlong(x, d, max ? (v, b) => v > b : (v, b) => v < b);
  const indexShape = x.shape.slice();
  if (x.dim() > 0) indexShape[d] = 1;
  const args = { dim: d, index, indexShape, keepdim: keepdim || x.dim() === 0 };
  const values = apply(max ? MaxDim : MinDim, [x], args);
  const shape = keepdim ? indexShape : indexShape.filter((_, k) => k !== d);
  const int64: DType = 'int64';
  return { values, indices: fromStorage(index.slice(), shape, int64) };
}
