// Copies that rearrange elements: `flip` (reversed along dims) and `repeat` (tiled).
import { overlaps } from '../dtype';
import { noGrad } from '../grad-mode';
import { formatShape, wrapDim } from '../shape';
import type { Tensor } from '../tensor';
import { contiguousData, fromStorage } from './kernels';
import { apply, type Primitive } from './op';

/** The elements of `view` in row-major order, in storage of their own, with `shape`. */
function copyOf(view: Tensor, shape: number[]): Tensor {
  const data = contiguousData(view);
  return fromStorage(overlaps(data, view._data) ? data.slice() : data, shape, view.dtype);
}

interface FlipArgs {
  readonly dims: readonly number[];
}

export const Flip: Primitive<FlipArgs> = {
  name: 'FlipBackward0',
  arity: 1,
  forward: ([a], { dims }) => {
    // A view walking the flipped dims backwards, copied out in row-major order.
    let offset = a._offset;
    const strides = a._strides.map((s, d) => {
      if (!dims.includes(d)) return s;
      offset += (a.shape[d] - 1) * s;
      return -s;
    });
    return copyOf(a._view(a.shape.slice(), strides, offset), a.shape.slice());
  },
  backward: (g, { args: { dims } }) => [apply(Flip, [g], { dims })],
};

export function flip(x: Tensor, dims: readonly number[]): Tensor {
  const wrapped = dims.map((d) => wrapDim(d, Math.max(x.dim(), 1)));
  const twice = wrapped.find((d, i) => wrapped.indexOf(d) !== i);
  if (twice !== undefined)
    throw new Error(`dim ${twice} appears multiple times in the list of dims`);
  return apply(Flip, [x], { dims: wrapped });
}

interface RepeatArgs {
  readonly repeats: readonly number[];
}

/** The input's shape with ones in front, as many dims as `repeats` has. */
const padded = (shape: readonly number[], n: number): number[] => [
  ...new Array<number>(n - shape.length).fill(1),
  ...shape,
];

export const Repeat: Primitive<RepeatArgs> = {
  name: 'RepeatBackward0',
  arity: 1,
  forward: ([a], { repeats }) =>
    noGrad(() => {
      // [s0, s1] tiled [r0, r1] is [1, s0, 1, s1] expanded to [r0, s0, r1, s1], then merged.
      const shape = padded(a.shape, repeats.length);
      const spread = shape.flatMap((s) => [1, s]);
      const tiled = repeats.flatMap((r, i) => [r, shape[i]]);
      const out = shape.map((s, i) => s * repeats[i]);
      return copyOf(a.reshape(...spread).expand(...tiled), out);
    }),
  // Each input element's gradient is the sum over its copies.
  backward: (g, { shapes, args: { repeats } }) => {
    const shape = padded(shapes[0], repeats.length);
    const tiled = repeats.flatMap((r, i) => [r, shape[i]]);
    const copies = repeats.map((_, i) => 2 * i);
    return [
      g
        .reshape(...tiled)
        .sum(copies)
        .reshape(...shapes[0]),
    ];
  },
};

export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.dim()) {
    throw new Error(
      'Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor',
    );
  }
  if (repeats.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new Error(`Trying to create tensor with negative dimension: ${formatShape(repeats)}`);
  }
  return apply(Repeat, [x], { repeats: repeats.slice() });
}
