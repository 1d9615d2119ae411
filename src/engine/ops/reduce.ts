// Reductions and softmax. Sums accumulate in double precision, close to PyTorch's
// cascade summation for float32.
import { allocate, isFloating, type DType } from '../dtype';
import { wrapDim } from '../shape';
import type { Tensor } from '../tensor';
import { contiguousData, fromStorage, splitAround } from './kernels';
import { apply, type Primitive } from './op';

export function reduceDims(dim: number | readonly number[] | undefined, ndim: number): boolean[] {
  const mask = new Array<boolean>(ndim).fill(dim === undefined);
  if (dim !== undefined)
    for (const d of typeof dim === 'number' ? [dim] : dim) mask[wrapDim(d, ndim)] = true;
  return mask;
}

/**
 * The sum of a vector, in the order and precision of the loop below (a float64 accumulator),
 * read through its stride: no copy and no intermediate arrays for the commonest reduction.
 */
function sumVector(t: Tensor, keepdim: boolean, dtype: DType): Tensor {
  const data = t._data;
  const step = t._strides[0];
  let acc = 0;
  for (let i = 0, p = t._offset; i < t.shape[0]; i++, p += step) acc += data[p];
  const result = allocate(dtype, 1);
  result[0] = acc;
  return fromStorage(result, keepdim ? [1] : [], dtype);
}

/** Sums over the dims in `mask`, one dim at a time from the innermost. */
function sumKernel(t: Tensor, mask: readonly boolean[], keepdim: boolean, dtype: DType): Tensor {
  if (t.shape.length === 1 && mask[0]) return sumVector(t, keepdim, dtype);
  let data: ArrayLike<number> = contiguousData(t);
  let shape = t.shape.slice();
  for (let d = shape.length - 1; d >= 0; d--) {
    if (!mask[d]) continue;
    const [outer, size, inner] = splitAround(shape, d);
    const out = new Float64Array(outer * inner);
    if (inner === 1) {
      // Summing a run of consecutive elements: a local accumulator, not a store per element.
      for (let o = 0; o < outer; o++) {
        let acc = 0;
        for (let k = 0, p = o * size; k < size; k++, p++) acc += data[p];
        out[o] = acc;
      }
    } else {
      for (let o = 0; o < outer; o++) {
        const base = o * size * inner;
        for (let k = 0; k < size; k++) {
          const row = base + k * inner;
          const ob = o * inner;
          for (let i = 0; i < inner; i++) out[ob + i] += data[row + i];
        }
      }
    }
    data = out;
    shape[d] = 1;
  }
  const result = allocate(dtype, data.length);
  for (let i = 0; i < data.length; i++) result[i] = data[i];
  if (!keepdim) shape = shape.filter((_, i) => !mask[i]);
  return fromStorage(result, shape, dtype);
}

const sumDtype = (t: Tensor): DType => (t.dtype === 'bool' ? 'int64' : t.dtype);
const meanDtype = (t: Tensor): DType => (isFloating(t.dtype) ? t.dtype : 'float32');

export const Sum: Primitive = {
  name: 'SumBackward0',
  arity: 1,
  forward: ([a]) => sumKernel(a, reduceDims(undefined, a.dim()), false, sumDtype(a)),
  backward: (g, { shapes }) => [g.expand(...shapes[0])],
};

export interface DimArgs {
  readonly dims: boolean[];
  readonly keepdim: boolean;
}

/** Puts back the reduced dims (size 1) so a reduced gradient broadcasts against the input. */
export function unsqueezeReduced(g: Tensor, { dims, keepdim }: DimArgs): Tensor {
  if (keepdim) return g;
  const shape: number[] = [];
  let j = 0;
  for (let i = 0; i < dims.length; i++) shape.push(dims[i] ? 1 : g.shape[j++]);
  return g.reshape(...shape);
}

export function countReduced(shape: readonly number[], dims: readonly boolean[]): number {
  let n = 1;
  for (let i = 0; i < dims.length; i++) if (dims[i]) n *= shape[i];
  return n;
}

export const SumDim: Primitive<DimArgs> = {
  name: 'SumBackward1',
  arity: 1,
  forward: ([a], { dims, keepdim }) => sumKernel(a, dims, keepdim, sumDtype(a)),
  backward: (g, { shapes, args }) => [unsqueezeReduced(g, args).expand(...shapes[0])],
};

export const Mean: Primitive = {
  name: 'MeanBackward0',
  arity: 1,
  forward: ([a]) => {
    const s = sumKernel(a, reduceDims(undefined, a.dim()), false, meanDtype(a));
    s._data[0] = s._data[0] / a.numel();
    return s;
  },
  backward: (g, { shapes }) => [g.div(shapes[0].reduce((p, q) => p * q, 1)).expand(...shapes[0])],
};

export const MeanDim: Primitive<DimArgs> = {
  name: 'MeanBackward1',
  arity: 1,
  forward: ([a], { dims, keepdim }) => {
    const s = sumKernel(a, dims, keepdim, meanDtype(a));
    const n = countReduced(a.shape, dims);
    for (let i = 0; i < s._data.length; i++) s._data[i] = s._data[i] / n;
    return s;
  },
  backward: (g, { shapes, args }) => [
    unsqueezeReduced(g, args)
      .div(countReduced(shapes[0], args.dims))
      .expand(...shapes[0]),
  ],
};

function extremum(name: string, better: (x: number, best: number) => boolean): Primitive {
  return {
    name,
    arity: 1,
    saves: [0, 'out'],
    forward: ([a]) => {
      const d = contiguousData(a);
      if (d.length === 0) {
        throw new Error(
          `${name.startsWith('Max') ? 'max' : 'min'}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.`,
        );
      }
      let best = d[0];
      for (let i = 1; i < d.length; i++) {
        if (Number.isNaN(best)) break;
        if (Number.isNaN(d[i]) || better(d[i], best)) best = d[i];
      }
      const out = allocate(a.dtype, 1);
      out[0] = best;
      return fromStorage(out, [], a.dtype);
    },
    // The gradient is shared evenly among all elements equal to the extremum, as in PyTorch 2.x.
    backward: (g, { saved: [x, y] }) => {
      const mask = x.eq(y);
      return [mask.mul(g.div(mask.sum()))];
    },
  };
}

export const Max = extremum('MaxBackward1', (x, best) => x > best);
export const Min = extremum('MinBackward1', (x, best) => x < best);

export interface SoftmaxArgs {
  readonly dim: number;
}

function softmaxKernel(a: Tensor, dim: number, log: boolean): Tensor {
  const dtype = isFloating(a.dtype) ? a.dtype : 'float32';
  const src = contiguousData(a);
  const out = allocate(dtype, src.length);
  const [outer, size, inner] = splitAround(a.shape, dim);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let max = -Infinity;
      for (let k = 0; k < size; k++) max = Math.max(max, src[base + k * inner]);
      let total = 0;
      for (let k = 0; k < size; k++) total += Math.exp(src[base + k * inner] - max);
      const logTotal = Math.log(total);
      for (let k = 0; k < size; k++) {
        const z = src[base + k * inner] - max;
        out[base + k * inner] = log ? z - logTotal : Math.exp(z) / total;
      }
    }
  }
  return fromStorage(out, a.shape.slice(), dtype);
}

export const Softmax: Primitive<SoftmaxArgs> = {
  name: 'SoftmaxBackward0',
  arity: 1,
  saves: ['out'],
  forward: ([a], { dim }) => softmaxKernel(a, dim, false),
  backward: (g, { saved: [y], args: { dim } }) => [y.mul(g.sub(g.mul(y).sum(dim, true)))],
};

export const LogSoftmax: Primitive<SoftmaxArgs> = {
  name: 'LogSoftmaxBackward0',
  arity: 1,
  saves: ['out'],
  forward: ([a], { dim }) => softmaxKernel(a, dim, true),
  backward: (g, { saved: [y], args: { dim } }) => [g.sub(y.exp().mul(g.sum(dim, true)))],
};

export function sum(t: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  if (dim === undefined) return apply(Sum, [t], undefined);
  return apply(SumDim, [t], { dims: reduceDims(dim, t.dim()), keepdim });
}

export function mean(t: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  if (!isFloating(t.dtype)) {
    throw new Error(
      `mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: ${t.dtype === 'int64' ? 'Long' : 'Bool'}`,
    );
  }
  if (dim === undefined) return apply(Mean, [t], undefined);
  return apply(MeanDim, [t], { dims: reduceDims(dim, t.dim()), keepdim });
}

export function softmax(t: Tensor, dim: number, log = false): Tensor {
  return apply(log ? LogSoftmax : Softmax, [t], { dim: wrapDim(dim, t.dim()) });
}

/** Sums a broadcast gradient back down to `shape` (the inverse of broadcasting). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  const gs = g.shape;
  if (gs.length === shape.length) {
    let same = true;
    for (let i = 0; i < gs.length; i++) if (gs[i] !== shape[i]) same = false;
    if (same) return g;
  }
  const lead = gs.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < gs.length; i++) {
    if (i < lead || (shape[i - lead] === 1 && gs[i] !== 1)) dims.push(i);
  }
  const reduced = dims.length > 0 ? g.sum(dims, true) : g;
  return reduced.reshape(...shape);
}

/** Index of the largest element (along `dim` if given); no history, dtype int64. */
export function argmax(t: Tensor, dim?: number, keepdim = false): Tensor {
  const src = contiguousData(t);
  if (dim === undefined) {
    let best = 0;
    for (let i = 1; i < src.length; i++) if (src[i] > src[best]) best = i;
    return fromStorage(Int32Array.of(best), [], 'int64');
  }
  const d = wrapDim(dim, t.dim());
  const [outer, size, inner] = splitAround(t.shape, d);
  const out = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let best = 0;
      for (let k = 1; k < size; k++) if (src[base + k * inner] > src[base + best * inner]) best = k;
      out[o * inner + i] = best;
    }
  }
  const shape = t.shape.slice();
  if (keepdim) shape[d] = 1;
  else shape.splice(d, 1);
  return fromStorage(out, shape, 'int64');
}
