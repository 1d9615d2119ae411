// Embedding lookup (a row of the weight per index) and one-hot encoding.
import { allocate, legacyTypeName } from '../dtype';
import type { Tensor } from '../tensor';
import { contiguousData, fromStorage } from './kernels';
import { apply, type Primitive } from './op';
import { IndexAdd } from './views';

export interface EmbeddingArgs {
  /** The indices, row-major, and their shape (the output is that shape plus the row). */
  readonly index: Int32Array;
  readonly indexShape: readonly number[];
}

export const Embedding: Primitive<EmbeddingArgs> = {
  name: 'EmbeddingBackward0',
  arity: 1,
  forward: ([w], { index, indexShape }) => {
    const rows = contiguousData(w);
    const dim = w.shape[1];
    const out = allocate(w.dtype, index.length * dim);
    for (let i = 0; i < index.length; i++)
      out.set(rows.subarray(index[i] * dim, (index[i] + 1) * dim), i * dim);
    return fromStorage(out, [...indexShape, dim], w.dtype);
  },
  // Each row of the gradient is added to the weight row it came from (repeats add up).
  backward: (g, { shapes: [shape], args: { index } }) => [
    apply(IndexAdd, [fromStorage(allocate(g.dtype, 1), [], g.dtype), g.reshape(-1, shape[1])], {
      dim: 0,
      index,
      inputShape: shape.slice(),
    }),
  ],
};

export function embedding(indices: Tensor, weight: Tensor): Tensor {
  if (indices.dtype !== 'int64') {
    throw new Error(
      `Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ${legacyTypeName(indices.dtype)} instead (while checking arguments for embedding)`,
    );
  }
  if (weight.dim() !== 2) throw new Error("'weight' must be 2-D");
  const index = Int32Array.from(contiguousData(indices));
  for (const i of index)
    if (i < 0 || i >= weight.shape[0]) throw new Error('index out of range in self');
  return apply(Embedding, [weight], { index, indexShape: indices.shape.slice() });
}

/** int64 one-hot rows: shape `[...t.shape, numClasses]`; no history, as in PyTorch. */
export function oneHot(t: Tensor, numClasses = -1): Tensor {
  if (t.dtype !== 'int64') throw new Error('one_hot is only applicable to index tensor.');
  const values = contiguousData(t);
  let max = -1;
  for (const v of values) {
    if (v < 0) throw new Error('Class values must be non-negative.');
    max = Math.max(max, v);
  }
  const n = numClasses === -1 ? max + 1 : numClasses;
  if (max >= n) throw new Error('Class values must be smaller than num_classes.');
  const out = allocate('int64', values.length * n);
  for (let i = 0; i < values.length; i++) out[i * n + values[i]] = 1;
  return fromStorage(out, [...t.shape, n], 'int64');
}
