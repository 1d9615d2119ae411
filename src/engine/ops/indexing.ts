// PyTorch's `x[...]` as `x.index(...)`: numbers select (SelectBackward0), null keeps a whole
// dimension (PyTorch still records that `:` as SliceBackward0), `torch.slice(start, end,
// step)` is Python's `start:end:step` (SliceBackward0, a view), and int64 or bool tensors
// index advanced-style (IndexBackward0). The advanced
// part is one gather by precomputed storage offsets; its backward adds the gradient back at
// those offsets (IndexPutImplBackward0: PyTorch's `zeros._index_put_impl_(indices, grad,
// accumulate=True)`).
import { allocate } from '../dtype';
import { broadcastShapes, contiguousStrides, formatShape, numelOf } from '../shape';
import type { Tensor } from '../tensor';
import { broadcastView, contiguousData, fromStorage, scatterStrided } from './kernels';
import { apply, type Primitive } from './op';
import { narrow, select } from './views';

/** Python's `start:end:step` in `x.index(...)`; made by `torch.slice`. */
export class Slice {
  constructor(
    readonly start: number | null = null,
    readonly end: number | null = null,
    readonly step = 1,
  ) {
    if (step === 0) throw new Error('slice step cannot be zero');
    if (!Number.isInteger(step)) throw new TypeError('slice indices must be integers');
    // PyTorch has no negative steps (flip instead).
    if (step < 0) throw new Error('step must be greater than zero');
  }

  /** Python's `slice.indices(size)` for a positive step: start and length, clamped. */
  bounds(size: number): { start: number; length: number } {
    const clamp = (v: number | null, fallback: number) =>
      v === null ? fallback : Math.min(Math.max(v < 0 ? v + size : v, 0), size);
    const start = clamp(this.start, 0);
    const end = clamp(this.end, size);
    return { start, length: Math.max(0, Math.ceil((end - start) / this.step)) };
  }
}

/**
 * Python's slice `start:end:step` for `x.index(...)`; `null` leaves an end open.
 * @example x.index(torch.slice(null, 3), torch.slice(1)); // x[:3, 1:]
 */
export function slice(start: number | null = null, end: number | null = null, step = 1): Slice {
  return new Slice(start, end, step);
}

/** One index of `x.index(...)`: a number, `null` or a slice, or a tensor. */
export type IndexItem = number | null | Slice | Tensor;

export interface StepSliceArgs {
  readonly dim: number;
  readonly start: number;
  readonly length: number;
  readonly step: number;
}

/** Every `step`-th element from `start` along `dim`, as a view. */
function stepSliceKernel(a: Tensor, { dim, start, length, step }: StepSliceArgs): Tensor {
  const shape = a.shape.slice();
  const strides = a._strides.slice();
  shape[dim] = length;
  strides[dim] *= step;
  return a._view(shape, strides, a._offset + start * a._strides[dim]);
}

/** A slice with a step above 1 (step 1 is narrow's SliceBackward0, in ./views). */
export const StepSlice: Primitive<StepSliceArgs> = {
  name: 'SliceBackward0',
  arity: 1,
  forward: ([a], args) => stepSliceKernel(a, args),
  backward: (g, { shapes, args }) => [
    apply(StepSliceBackward, [g], { ...args, inputShape: shapes[0].slice() }),
  ],
};

/** Input-shaped zeros with `g` written at the sliced positions. */
export const StepSliceBackward: Primitive<StepSliceArgs & { readonly inputShape: number[] }> = {
  name: 'SliceBackwardBackward0',
  arity: 1,
  forward: ([g], args) => {
    const out = fromStorage(
      allocate(g.dtype, numelOf(args.inputShape)),
      args.inputShape.slice(),
      g.dtype,
    );
    scatterStrided(stepSliceKernel(out, args), contiguousData(g));
    return out;
  },
  backward: (gg, { args }) => [apply(StepSlice, [gg], args)],
};

/** `x[start:end:step]` along `d`: narrow's view for step 1, else a strided view. */
function sliceDim(x: Tensor, d: number, item: Slice): Tensor {
  const { start, length } = item.bounds(x.shape[d]);
  return item.step === 1
    ? narrow(x, d, start, length)
    : apply(StepSlice, [x], { dim: d, start, length, step: item.step });
}

export interface IndexArgs {
  /** For each output element, the offset of its source in the contiguous input. */
  readonly offsets: Int32Array;
  readonly outShape: readonly number[];
}

export const Index: Primitive<IndexArgs> = {
  name: 'IndexBackward0',
  arity: 1,
  forward: ([a], { offsets, outShape }) => {
    const src = contiguousData(a);
    const out = allocate(a.dtype, offsets.length);
    for (let p = 0; p < offsets.length; p++) out[p] = src[offsets[p]];
    return fromStorage(out, outShape.slice(), a.dtype);
  },
  backward: (g, { shapes, args }) => {
    const zeros = fromStorage(allocate(g.dtype, 1), [], g.dtype);
    return [apply(IndexPut, [zeros, g], { ...args, inputShape: shapes[0] })];
  },
};

/** Zeros of `inputShape` with the second input added at the offsets (repeats add up). */
export const IndexPut: Primitive<IndexArgs & { readonly inputShape: readonly number[] }> = {
  name: 'IndexPutImplBackward0',
  arity: 2,
  forward: ([, values], { offsets, inputShape }) => {
    const src = contiguousData(values);
    const out = allocate(values.dtype, numelOf(inputShape));
    for (let p = 0; p < offsets.length; p++) out[offsets[p]] += src[p];
    return fromStorage(out, inputShape.slice(), values.dtype);
  },
  backward: (gg, { needs, args }) => [null, needs[1] ? apply(Index, [gg], args) : null],
};

/** A bool mask over `mask.dim()` dims, as PyTorch reads it: the int64 coordinates of its trues. */
function maskCoordinates(mask: Tensor): Int32Array[] {
  const flat = contiguousData(mask);
  const strides = contiguousStrides(mask.shape);
  const coords = mask.shape.map(() => [] as number[]);
  for (let p = 0; p < flat.length; p++) {
    if (flat[p] === 0) continue;
    strides.forEach((s, d) => coords[d].push(Math.floor(p / s) % mask.shape[d]));
  }
  return coords.map((c) => Int32Array.from(c));
}

/** Each indexed dim's positions, broadcast to one shape, wrapped and bounds-checked. */
function broadcastIndices(
  shape: readonly number[],
  at: readonly number[],
  tensors: readonly Tensor[],
): { values: Int32Array[]; shape: number[] } {
  let common: number[] = [];
  for (const t of tensors) common = broadcastShapes(common, t.shape);
  const values = tensors.map((t, j) => {
    const size = shape[at[j]];
    const v = Int32Array.from(contiguousData(broadcastView(t, common)));
    for (let p = 0; p < v.length; p++) {
      if (v[p] < -size || v[p] >= size)
        throw new Error(`index ${v[p]} is out of bounds for dimension ${at[j]} with size ${size}`);
      if (v[p] < 0) v[p] += size;
    }
    return v;
  });
  return { values, shape: common };
}

/**
 * The source offsets of advanced indexing: `at[j]` is the dim `tensors[j]` indexes. The
 * broadcast index shape replaces the indexed dims where they sit together, else goes first.
 */
export function advancedOffsets(
  x: Tensor,
  at: readonly number[],
  tensors: readonly Tensor[],
): IndexArgs {
  const strides = contiguousStrides(x.shape);
  const { values, shape: indexShape } = broadcastIndices(x.shape, at, tensors);
  const count = numelOf(indexShape);
  const base = new Int32Array(count);
  values.forEach((v, j) => {
    for (let b = 0; b < count; b++) base[b] += v[b] * strides[at[j]];
  });
  const adjacent = at.every((d, j) => j === 0 || d === at[j - 1] + 1);
  const plain = x.shape.map((_, d) => d).filter((d) => !at.includes(d));
  // The output as a list of parts: -1 for the broadcast index block, else a plain dim.
  const insertAt = adjacent ? plain.filter((d) => d < at[0]).length : 0;
  const parts = [...plain.slice(0, insertAt), -1, ...plain.slice(insertAt)];
  const sizes = parts.map((d) => (d === -1 ? count : x.shape[d]));
  const outShape = parts.flatMap((d) => (d === -1 ? indexShape : [x.shape[d]]));
  const offsets = new Int32Array(numelOf(sizes));
  const coord = new Array<number>(parts.length).fill(0);
  for (let p = 0; p < offsets.length; p++) {
    let at0 = 0;
    for (let k = 0; k < parts.length; k++)
      at0 += parts[k] === -1 ? base[coord[k]] : coord[k] * strides[parts[k]];
    offsets[p] = at0;
    for (let k = parts.length - 1; k >= 0; k--) {
      if (++coord[k] < sizes[k]) break;
      coord[k] = 0;
    }
  }
  return { offsets, outShape };
}

const isTensorItem = (i: IndexItem): i is Tensor =>
  i !== null && typeof i !== 'number' && !(i instanceof Slice);

/**
 * `x.index(i0, i1, ...)` is PyTorch's `x[i0, i1, ...]`: numbers select and nulls slice
 * first, then the tensors index what is left in one IndexBackward0.
 * @example x.index(null, torch.tensor([0, 2], { dtype: 'int64' })); // x[:, [0, 2]]
 */
export function index(x: Tensor, items: readonly IndexItem[]): Tensor {
  const tensorItems = items.filter(isTensorItem);
  const used = items.reduce<number>(
    (n, i) => n + (isTensorItem(i) && i.dtype === 'bool' ? i.dim() : 1),
    0,
  );
  if (used > x.dim()) {
    throw new Error(`too many indices for tensor of dimension ${x.dim()} (got ${used})`);
  }
  let cur = x;
  let d = 0;
  const at: number[] = [];
  const tensors: Tensor[] = [];
  for (const item of items) {
    if (item === null) {
      cur = narrow(cur, d, 0, cur.shape[d]);
      d++;
    } else if (item instanceof Slice) cur = sliceDim(cur, d++, item);
    else if (typeof item === 'number') cur = select(cur, d, item);
    else if (item.dtype === 'bool') {
      const shape = cur.shape.slice(d, d + item.dim());
      if (shape.some((s, k) => s !== item.shape[k])) {
        throw new Error(
          `The shape of the mask ${formatShape(item.shape)} at index 0 does not match the shape of the indexed tensor ${formatShape(cur.shape)} at index ${d}`,
        );
      }
      for (const c of maskCoordinates(item)) {
        at.push(d++);
        tensors.push(fromStorage(c, [c.length], 'int64'));
      }
    } else if (item.dtype === 'int64') {
      at.push(d++);
      tensors.push(item);
    } else {
      throw new Error('tensors used as indices must be long, int, byte or bool tensors');
    }
  }
  if (tensorItems.length === 0) return cur;
  return apply(Index, [cur], advancedOffsets(cur, at, tensors));
}
