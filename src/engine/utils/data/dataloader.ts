// DataLoader as in torch.utils.data: batches of a dataset, in order or shuffled with
// PyTorch's draws from the default generator, collated as default_collate does.
import { loaderEpochOrder } from '../../random';
import { tensor } from '../../factories';
import { stack } from '../../functions';
import { Tensor } from '../../tensor';
import type { Dataset } from './dataset';

/** DataLoader options, PyTorch's names in camelCase. */
export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
}

/** A collated batch: tensors stacked, numbers made a tensor, arrays collated per position. */
export type Batch<T> = T extends Tensor
  ? Tensor
  : T extends number
    ? Tensor
    : T extends readonly unknown[]
      ? { [K in keyof T]: Batch<T[K]> }
      : T[];

/** PyTorch's default_collate for the sample kinds a dataset here yields. */
function collate(samples: unknown[]): unknown {
  const first = samples[0];
  if (first instanceof Tensor) return stack(samples as Tensor[], 0);
  if (typeof first === 'number')
    return tensor(samples as number[], {
      dtype: (samples as number[]).every(Number.isInteger) ? 'int64' : 'float64',
    });
  if (Array.isArray(first))
    return first.map((_, k) => collate(samples.map((s) => (s as unknown[])[k])));
  return samples;
}

/**
 * Iterates a dataset in batches; each `for ... of` is one epoch.
 * @example
 * const loader = new torch.utils.data.DataLoader(ds, { batchSize: 64, shuffle: true });
 * for (const [x, y] of loader) { ... }
 */
export class DataLoader<T> implements Iterable<Batch<T>> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;

  constructor(
    readonly dataset: Dataset<T> | readonly T[],
    options: DataLoaderOptions = {},
  ) {
    for (const key of Object.keys(options))
      if (!['batchSize', 'shuffle', 'dropLast'].includes(key))
        throw new TypeError(`DataLoader got an unexpected keyword argument '${key}'`);
    this.batchSize = options.batchSize ?? 1;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0)
      throw new Error(
        `batch_size should be a positive integer value, but got batch_size=${this.batchSize}`,
      );
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
  }

  /** The number of batches per epoch. @example loader.length; */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Batch<T>> {
    const data = this.dataset;
    const get = Array.isArray(data)
      ? (i: number) => (data as readonly T[])[i]
      : (i: number) => (data as Dataset<T>).get(i);
    const n = data.length;
    const order = loaderEpochOrder(n, this.shuffle);
    for (let b = 0; b < this.length; b++) {
      const count = Math.min(this.batchSize, n - b * this.batchSize);
      const samples = Array.from({ length: count }, (_, k) => {
        const i = b * this.batchSize + k;
        return get(order === null ? i : order[i]);
      });
      yield collate(samples) as Batch<T>;
    }
  }
}
