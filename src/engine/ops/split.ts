// `split` and `chunk`: consecutive pieces along a dim, views of the input, all outputs of one
// node (SplitBackward0, or SplitWithSizesBackward0 for a list of sizes).
import { wrapDim } from '../shape';
import type { Tensor } from '../tensor';
import { applyMulti, type MultiPrimitive } from './multi-op';
import { cat } from './views';

export interface SplitArgs {
  readonly dim: number;
  readonly sizes: readonly number[];
}

function splitPrimitive(name: string): MultiPrimitive<SplitArgs> {
  return {
    name,
    arity: 1,
    forward: ([a], { dim, sizes }) => {
      let start = 0;
      return sizes.map((size) => {
        const shape = a.shape.slice();
        shape[dim] = size;
        const piece = a._view(shape, a._strides.slice(), a._offset + start * a._strides[dim]);
        start += size;
        return piece;
      });
    },
    // Outputs that received no gradient come as zeros, so the pieces always tile the input.
    backward: (grads, { args: { dim } }) => [cat(grads, dim)],
  };
}

export const Split = splitPrimitive('SplitBackward0');
export const SplitWithSizes = splitPrimitive('SplitWithSizesBackward0');

/** Pieces of `size` along `dim` (the last one smaller), or of the listed sizes. */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  if (x.dim() === 0) throw new Error('split expects at least a 1-dimensional tensor');
  const d = wrapDim(dim, x.dim());
  const length = x.shape[d];
  if (typeof size !== 'number') {
    const total = size.reduce((p, q) => p + q, 0);
    if (total !== length || size.some((s) => s < 0)) {
      throw new Error(
        `split_with_sizes expects split_sizes to sum exactly to ${length} (input tensor's size at dimension ${d}), but got split_sizes=[${size.join(', ')}]`,
      );
    }
    return applyMulti(SplitWithSizes, [x], { dim: d, sizes: size.slice() });
  }
  if (!Number.isInteger(size) || size < 0 || (size === 0 && length !== 0)) {
    throw new Error(
      `split_size can only be 0 if dimension size is 0, but got dimension size of ${length}`,
    );
  }
  const sizes: number[] = [];
  for (let start = 0; start < length; start += size) sizes.push(Math.min(size, length - start));
  if (sizes.length === 0) sizes.push(0);
  return applyMulti(Split, [x], { dim: d, sizes });
}

/** `chunks` pieces as equal as PyTorch makes them (fewer when the dim is short). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new Error('chunk expects `chunks` to be greater than 0, got: ' + String(chunks));
  if (x.dim() === 0) throw new Error('chunk expects at least a 1-dimensional tensor');
  const length = x.shape[wrapDim(dim, x.dim())];
  return split(x, Math.max(Math.ceil(length / chunks), length === 0 ? 0 : 1), dim);
}
