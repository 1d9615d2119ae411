// `x.indexPut_(indices, values)`: PyTorch's `x[i0, i1] = values` (and so `x[i, j] -= 1`,
// which is a read, an op, then this write). Recorded as IndexPutBackward0: the gradient of
// `x` is zero where it was overwritten, that of `values` is gathered from those positions.
import { allocate } from '../dtype';
import type { Tensor } from '../tensor';
import { broadcastView, contiguousData, fromStorage } from './kernels';
import { advancedOffsets, Index, type IndexArgs } from './indexing';
import { inplace } from './inplace';
import { apply, type Primitive } from './op';
import { sumTo } from './reduce';
import { asPair, type TensorLike } from './scalar';

interface IndexPutArgs extends IndexArgs {
  readonly accumulate: boolean;
}

/** `self` with `values` written (or added) at the offsets: what `indexPut_` records. */
export const IndexPutOp: Primitive<IndexPutArgs> = {
  name: 'IndexPutBackward0',
  arity: 2,
  forward: ([self, values], { offsets, outShape, accumulate }) => {
    const out = contiguousData(self).slice();
    const src = contiguousData(broadcastView(values.to(self.dtype), outShape.slice()));
    if (accumulate) for (let p = 0; p < offsets.length; p++) out[offsets[p]] += src[p];
    else for (let p = 0; p < offsets.length; p++) out[offsets[p]] = src[p];
    return fromStorage(out, self.shape.slice(), self.dtype);
  },
  backward: (g, { shapes, needs, args }) => {
    let gSelf: Tensor | null = null;
    if (needs[0]) {
      if (args.accumulate) gSelf = g;
      else {
        const keep = allocate(g.dtype, g.numel()).fill(1);
        for (let p = 0; p < args.offsets.length; p++) keep[args.offsets[p]] = 0;
        gSelf = g.mul(fromStorage(keep, g.shape.slice(), g.dtype));
      }
    }
    const gValues = needs[1] ? sumTo(apply(Index, [g], args), shapes[1]) : null;
    return [gSelf, gValues];
  },
};

/** Writes `values` (broadcast) at the positions the int64 or bool index tensors pick, in place. */
export function indexPut_<T extends Tensor>(
  x: T,
  indices: readonly Tensor[],
  values: TensorLike,
  accumulate: boolean,
): T {
  if (indices.length > x.dim()) {
    throw new Error(`too many indices for tensor of dimension ${x.dim()} (got ${indices.length})`);
  }
  for (const i of indices) {
    if (i.dtype !== 'int64') throw new Error('tensors used as indices must be long or int tensors');
  }
  const args = {
    ...advancedOffsets(
      x,
      indices.map((_, d) => d),
      indices,
    ),
    accumulate,
  };
  const [, v] = asPair(x, values);
  return inplace(x, (self) => apply(IndexPutOp, [self, v], args));
}
