// Datasets as in torch.utils.data: anything with a length and `get(i)`; TensorDataset pairs
// tensors along their first dim, randomSplit draws PyTorch's permutation.
import { shuffledRange } from '../../random';
import type { Tensor } from '../../tensor';
import { torchSize } from '../../print/size';

/** PyTorch's map-style Dataset: `dataset[i]` is `dataset.get(i)`, `len(dataset)` its length. */
export interface Dataset<T> {
  readonly length: number;
  get(index: number): T;
}

/**
 * Samples are the i-th rows of each tensor.
 * @example
 * const ds = new torch.utils.data.TensorDataset(x, y);
 * const [xi, yi] = ds.get(0);
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    const n = tensors[0]?.shape[0];
    if (tensors.some((t) => t.shape[0] !== n))
      throw new Error(
        `Size mismatch between tensors (${tensors.map((t) => torchSize(t.shape)).join(', ')})`,
      );
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]?.shape[0] ?? 0;
  }

  get(index: number): Tensor[] {
    return this.tensors.map((t) => t.select(0, index));
  }
}

/** The samples of `dataset` at `indices`. @example split.indices; */
export class Subset<T> implements Dataset<T> {
  constructor(
    readonly dataset: Dataset<T>,
    readonly indices: number[],
  ) {}

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    return this.dataset.get(this.indices[index]);
  }
}

/** Fractions summing to 1 become counts as PyTorch rounds them (remainder round-robin). */
function countsOf(lengths: number[], n: number): number[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-9 || total > 1) return lengths;
  const counts = lengths.map((f, i) => {
    if (f < 0 || f > 1) throw new Error(`Fraction at index ${i} is not between 0 and 1`);
    return Math.floor(n * f);
  });
  const remainder = n - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; i < remainder; i++) counts[i % counts.length]++;
  return counts;
}

/**
 * Splits a dataset into non-overlapping subsets of the given lengths (or fractions), with
 * PyTorch's permutation under `manualSeed`.
 * @example const [train, val] = torch.utils.data.randomSplit(ds, [0.8, 0.2]);
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: number[]): Subset<T>[] {
  const counts = countsOf(lengths, dataset.length);
  if (counts.reduce((a, b) => a + b, 0) !== dataset.length)
    throw new Error('Sum of input lengths does not equal the length of the input dataset!');
  const order = Array.from(shuffledRange(dataset.length));
  let at = 0;
  return counts.map((c) => new Subset(dataset, order.slice(at, (at += c))));
}
