// Max pooling as one node (MaxPool2DWithIndicesBackward0): the largest element of each
// window, and where it was; backward adds each gradient back at that position.
import { allocate } from '../dtype';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { IndexPut, type IndexArgs } from './indexing';
import { contiguousData, fromStorage } from './kernels';
import { apply, type Primitive } from './op';
import { windowArgs, windows, type WindowArgs } from './unfold';

/** For each window of an [N, C, H, W] input, the offset of its largest element (NaN wins). */
function argmaxOffsets(
  x: Tensor,
  { kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw] }: WindowArgs,
): IndexArgs {
  const [n, c, h, w] = x.shape;
  const oh = windows(h, kh, sh, ph);
  const ow = windows(w, kw, sw, pw);
  const src = contiguousData(x);
  const offsets = new Int32Array(n * c * oh * ow);
  let p = 0;
  for (let plane = 0; plane < n * c; plane++)
    for (let y = 0; y < oh; y++)
      for (let z = 0; z < ow; z++, p++) {
        let best = -1;
        for (let i = 0; i < kh; i++) {
          const row = y * sh - ph + i;
          if (row < 0 || row >= h) continue;
          for (let j = 0; j < kw; j++) {
            const col = z * sw - pw + j;
            if (col < 0 || col >= w) continue;
            const at = (plane * h + row) * w + col;
            const v = src[at];
            if (best < 0 || v > src[best] || (Number.isNaN(v) && !Number.isNaN(src[best])))
              best = at;
          }
        }
        offsets[p] = best;
      }
  return { offsets, outShape: [n, c, oh, ow] };
}

export const MaxPool2d: Primitive<IndexArgs> = {
  name: 'MaxPool2DWithIndicesBackward0',
  arity: 1,
  forward: ([x], { offsets, outShape }) => {
    const src = contiguousData(x);
    const out = allocate(x.dtype, offsets.length);
    for (let p = 0; p < offsets.length; p++) out[p] = src[offsets[p]];
    return fromStorage(out, outShape.slice(), x.dtype);
  },
  backward: (g, { shapes, args }) => {
    const zeros = fromStorage(allocate(g.dtype, 1), [], g.dtype);
    return [apply(IndexPut, [zeros, g], { ...args, inputShape: shapes[0] })];
  },
};

export interface PoolOptions {
  /** Default: the kernel size. */
  stride?: number | number[];
  padding?: number | number[];
}

/** @example F.maxPool2d(x, 2); // halves H and W */
export function maxPool2d(
  x: Tensor,
  kernelSize: number | number[],
  options: PoolOptions = {},
): Tensor {
  if (x.dim() !== 4) {
    throw new Error(
      `max_pool2d: Expected 4D (batched) input, but got input of size: ${formatShape(x.shape)}`,
    );
  }
  const args = windowArgs(kernelSize, {
    stride: options.stride ?? kernelSize,
    padding: options.padding ?? 0,
  });
  if (args.padding[0] * 2 > args.kernel[0] || args.padding[1] * 2 > args.kernel[1]) {
    throw new Error(
      `pad should be at most half of effective kernel size, but got pad=${args.padding[0]}, kernel_size=${args.kernel[0]} and dilation=1`,
    );
  }
  const [oh, ow] = [
    windows(x.shape[2], args.kernel[0], args.stride[0], args.padding[0]),
    windows(x.shape[3], args.kernel[1], args.stride[1], args.padding[1]),
  ];
  if (oh <= 0 || ow <= 0) {
    throw new Error(
      `Given input size: (${x.shape.slice(1).join('x')}). Calculated output size: (${x.shape[1]}x${oh}x${ow}). Output size is too small`,
    );
  }
  return apply(MaxPool2d, [x], argmaxOffsets(x, args));
}
