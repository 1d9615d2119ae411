// `sort` and `topk`: values picked along a dim in order, with their int64 indices. The values
// are a gather at the indices, so the gradient goes back to the picked positions only.
import { wrapDim } from '../shape';
import type { Tensor } from '../tensor';
import { contiguousData, fromStorage, splitAround } from './kernels';
import { apply } from './op';
import { extremumAlong, type ValuesIndices } from './gather';

export const Sort = extremumAlong('SortBackward0');
export const Topk = extremumAlong('TopkBackward0');

/** NaN counts as the largest value, as in PyTorch; ties keep their order. */
function ascending(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

/** For each slice along `dim`, the positions of its first `k` elements in sorted order. */
function order(x: Tensor, dim: number, k: number, descending: boolean): Int32Array {
  const src = contiguousData(x);
  const [outer, size, inner] = splitAround(x.shape, dim);
  const out = new Int32Array(outer * k * inner);
  const positions = Array.from({ length: size }, (_, i) => i);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const at = (p: number) => src[o * size * inner + p * inner + i];
      const sorted = positions
        .slice()
        .sort((p, q) => (descending ? ascending(at(q), at(p)) : ascending(at(p), at(q))) || p - q);
      for (let j = 0; j < k; j++) out[o * k * inner + j * inner + i] = sorted[j];
    }
  return out;
}

function pick(
  x: Tensor,
  dim: number,
  k: number,
  descending: boolean,
  op: typeof Sort,
): ValuesIndices {
  const d = wrapDim(dim, Math.max(x.dim(), 1));
  const index = order(x, d, k, descending);
  const indexShape = x.shape.slice();
  if (x.dim() > 0) indexShape[d] = k;
  const values = apply(op, [x], { dim: d, index, indexShape, keepdim: true });
  return { values, indices: fromStorage(index.slice(), indexShape, 'int64') };
}

/** The elements sorted along `dim` (default the last), and where each came from. */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  const d = wrapDim(dim, Math.max(x.dim(), 1));
  return pick(x, d, x.dim() === 0 ? 1 : x.shape[d], descending, Sort);
}

/** The `k` largest (or smallest) elements along `dim`, in order, and their indices. */
export function topk(x: Tensor, k: number, dim = -1, largest = true): ValuesIndices {
  const d = wrapDim(dim, Math.max(x.dim(), 1));
  const size = x.dim() === 0 ? 1 : x.shape[d];
  if (!Number.isInteger(k) || k < 0 || k > size) throw new Error('selected index k out of range');
  return pick(x, d, k, largest, Topk);
}
