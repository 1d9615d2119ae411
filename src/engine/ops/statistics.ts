// Statistics of the later lessons: variance and standard deviation (BatchNorm, LayerNorm by
// hand), logsumexp (losses by hand) and cumsum. Forward kernels run without history;
// backward formulas are tensor ops, so createGraph gives second derivatives.
import { allocate, isFloating, type DType } from '../dtype';
import { noGrad } from '../grad-mode';
import { wrapDim } from '../shape';
import type { Tensor } from '../tensor';
import { contiguousData, fromStorage, splitAround } from './kernels';
import { apply, type Primitive } from './op';
import { countReduced, reduceDims, unsqueezeReduced, type DimArgs } from './reduce';

export interface VarArgs extends DimArgs {
  /** Subtracted from the element count: 1 is the unbiased estimate (PyTorch's default). */
  readonly correction: number;
}

function variance(a: Tensor, { dims, keepdim, correction }: VarArgs): Tensor {
  return noGrad(() => {
    const centred = a.sub(a.mean(dimList(dims), true));
    const n = countReduced(a.shape, dims);
    return centred
      .mul(centred)
      .sum(dimList(dims), keepdim)
      .div(Math.max(n - correction, 0));
  });
}

const dimList = (dims: readonly boolean[]): number[] => dims.flatMap((d, i) => (d ? [i] : []));

/** d var / dx = 2 (x − mean) / (N − correction). */
function varianceGradient(g: Tensor, x: Tensor, args: VarArgs): Tensor {
  const n = countReduced(x.shape, args.dims);
  const centred = x.sub(x.mean(dimList(args.dims), true));
  return unsqueezeReduced(g, args)
    .mul(centred)
    .mul(2 / (n - args.correction));
}

export const Var: Primitive<VarArgs> = {
  name: 'VarBackward0',
  arity: 1,
  saves: [0],
  forward: ([a], args) => variance(a, args),
  backward: (g, { saved: [x], args }) => [varianceGradient(g, x, args)],
};

export const Std: Primitive<VarArgs> = {
  name: 'StdBackward0',
  arity: 1,
  saves: [0, 'out'],
  forward: ([a], args) => noGrad(() => variance(a, args).sqrt()),
  // d std = d var / (2 std)
  backward: (g, { saved: [x, y], args }) => [
    varianceGradient(g, x, args).div(unsqueezeReduced(y, args).mul(2)),
  ],
};

export function varianceOf(
  x: Tensor,
  dim: number | readonly number[] | undefined,
  keepdim: boolean,
  correction: number,
  std: boolean,
): Tensor {
  if (!isFloating(x.dtype)) {
    throw new Error(`std and var only support floating point and complex dtypes`);
  }
  return apply(std ? Std : Var, [x], { dims: reduceDims(dim, x.dim()), keepdim, correction });
}

export interface DimOnly {
  readonly dim: number;
  readonly keepdim: boolean;
}

/** log Σ exp(x) along `dim`, shifted by the maximum so large values do not overflow. */
function logsumexpKernel(a: Tensor, dim: number, keepdim: boolean): Tensor {
  const dtype: DType = isFloating(a.dtype) ? a.dtype : 'float32';
  const src = contiguousData(a);
  const [outer, size, inner] = splitAround(a.shape, dim);
  const out = allocate(dtype, outer * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * size * inner + i;
      let max = -Infinity;
      for (let k = 0; k < size; k++) max = Math.max(max, src[base + k * inner]);
      if (!Number.isFinite(max)) max = 0;
      let total = 0;
      for (let k = 0; k < size; k++) total += Math.exp(src[base + k * inner] - max);
      out[o * inner + i] = max + Math.log(total);
    }
  const shape = a.shape.slice();
  if (keepdim) shape[dim] = 1;
  else shape.splice(dim, 1);
  return fromStorage(out, shape, dtype);
}

export const Logsumexp: Primitive<DimOnly> = {
  name: 'LogsumexpBackward0',
  arity: 1,
  saves: [0, 'out'],
  forward: ([a], { dim, keepdim }) => logsumexpKernel(a, dim, keepdim),
  // d/dx = softmax(x) = exp(x − out)
  backward: (g, { saved: [x, y], args }) => {
    const keep = (t: Tensor) => (args.keepdim || x.dim() === 0 ? t : t.unsqueeze(args.dim));
    return [keep(g).mul(x.sub(keep(y)).exp())];
  },
};

export function logsumexp(x: Tensor, dim: number, keepdim = false): Tensor {
  return apply(Logsumexp, [x], { dim: wrapDim(dim, x.dim()), keepdim });
}

export interface CumsumArgs {
  readonly dim: number;
  /** Sums from the end: the backward of a cumsum is the cumsum of the reversed gradient. */
  readonly reverse: boolean;
}

export const Cumsum: Primitive<CumsumArgs> = {
  name: 'CumsumBackward0',
  arity: 1,
  forward: ([a], { dim, reverse }) => {
    const dtype: DType = isFloating(a.dtype) ? a.dtype : 'int64';
    const src = contiguousData(a);
    const out = allocate(dtype, src.length);
    const [outer, size, inner] = a.dim() === 0 ? [1, 1, 1] : splitAround(a.shape, dim);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let acc = 0;
        for (let j = 0; j < size; j++) {
          const k = reverse ? size - 1 - j : j;
          const p = o * size * inner + k * inner + i;
          acc += src[p];
          out[p] = acc;
        }
      }
    return fromStorage(out, a.shape.slice(), dtype);
  },
  backward: (g, { args: { dim, reverse } }) => [apply(Cumsum, [g], { dim, reverse: !reverse })],
};

export function cumsum(x: Tensor, dim: number): Tensor {
  return apply(Cumsum, [x], { dim: wrapDim(dim, x.dim()), reverse: false });
}
