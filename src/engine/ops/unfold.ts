// Sliding windows as columns: `unfold` (im2col, Im2ColBackward0) turns [N, C, H, W] into
// [N, C·kh·kw, L], one column per window position; `fold` (col2im, Col2ImBackward0) adds the
// columns back into an image. Each is the other's backward; convolution is built on them.
import { allocate } from '../dtype';
import type { Tensor } from '../tensor';
import { contiguousData, fromStorage } from './kernels';
import { apply, type Primitive } from './op';

export interface WindowArgs {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  /** Columns as [C·kh·kw, N·L] rather than F.unfold's [N, C·kh·kw, L]. */
  readonly batchInner?: boolean;
}

/** The number of window positions along one spatial dim. */
export function windows(size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/**
 * Walks every (column row, window position) pair of an [N, C, H, W] image: `visit(img, col)`
 * with the image offset (−1 inside the padding) and the offset in the columns, laid out as
 * [N, C·kh·kw, L], or with `batchInner` as [C·kh·kw, N·L] (every image's windows in one row).
 */
function eachWindowElement(
  [n, c, h, w]: readonly number[],
  { kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw] }: WindowArgs,
  visit: (img: number, col: number) => void,
  batchInner = false,
): void {
  const oh = windows(h, kh, sh, ph);
  const ow = windows(w, kw, sw, pw);
  const l = oh * ow;
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++) {
      const plane = (b * c + ch) * h * w;
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const k = (ch * kh + i) * kw + j;
          let col = batchInner ? (k * n + b) * l : (b * c * kh * kw + k) * l;
          for (let y = 0; y < oh; y++) {
            const row = y * sh - ph + i;
            for (let x = 0; x < ow; x++, col++) {
              const column = x * sw - pw + j;
              const inside = row >= 0 && row < h && column >= 0 && column < w;
              visit(inside ? plane + row * w + column : -1, col);
            }
          }
        }
    }
}

/**
 * im2col: [N, C, H, W] to [N, C·kh·kw, L], or with `batchInner` to [C·kh·kw, N·L] (every
 * image's windows side by side: the layout of convolution's one product for the batch).
 */
function im2col(x: Tensor, args: WindowArgs): Tensor {
  const [n, c, h, w] = x.shape;
  const [kh, kw] = args.kernel;
  const l =
    windows(h, kh, args.stride[0], args.padding[0]) *
    windows(w, kw, args.stride[1], args.padding[1]);
  const src = contiguousData(x);
  const out = allocate(x.dtype, n * c * kh * kw * l);
  eachWindowElement(
    x.shape,
    args,
    (img, col) => {
      if (img >= 0) out[col] = src[img];
    },
    args.batchInner,
  );
  const shape = args.batchInner === true ? [c * kh * kw, n * l] : [n, c * kh * kw, l];
  return fromStorage(out, shape, x.dtype);
}

/** col2im: columns laid out as im2col makes them, added back into [N, C, H, W]. */
function col2im(cols: Tensor, size: readonly [number, number], args: WindowArgs): Tensor {
  const [kh, kw] = args.kernel;
  const l =
    windows(size[0], kh, args.stride[0], args.padding[0]) *
    windows(size[1], kw, args.stride[1], args.padding[1]);
  const [n, c] =
    args.batchInner === true
      ? [cols.shape[1] / l, cols.shape[0] / (kh * kw)]
      : [cols.shape[0], cols.shape[1] / (kh * kw)];
  const shape = [n, c, size[0], size[1]];
  const src = contiguousData(cols);
  const out = allocate(cols.dtype, n * c * size[0] * size[1]);
  eachWindowElement(
    shape,
    args,
    (img, col) => {
      if (img >= 0) out[img] += src[col];
    },
    args.batchInner,
  );
  return fromStorage(out, shape, cols.dtype);
}

export const Im2Col: Primitive<WindowArgs> = {
  name: 'Im2ColBackward0',
  arity: 1,
  forward: ([x], args) => im2col(x, args),
  backward: (g, { shapes, args }) => [
    apply(Col2Im, [g], { ...args, size: [shapes[0][2], shapes[0][3]] }),
  ],
};

export const Col2Im: Primitive<WindowArgs & { readonly size: readonly [number, number] }> = {
  name: 'Col2ImBackward0',
  arity: 1,
  forward: ([cols], args) => col2im(cols, args.size, args),
  backward: (g, { args }) => [apply(Im2Col, [g], args)],
};

export const pair = (v: number | readonly number[]): [number, number] =>
  typeof v === 'number' ? [v, v] : [v[0], v[1]];

/**
 * `F.unfold`: the sliding windows of a 4-D input as columns.
 * @example F.unfold(x, 3, { padding: 1 }).shape; // [N, C * 9, H * W]
 */
export function unfold(
  x: Tensor,
  kernelSize: number | number[],
  options: { padding?: number | number[]; stride?: number | number[] } = {},
): Tensor {
  if (x.dim() !== 4) {
    throw new Error(`Input Error: Only 4D input Tensors are supported (got ${x.dim()}D)`);
  }
  return apply(Im2Col, [x], windowArgs(kernelSize, options));
}

/**
 * `F.fold`: columns of sliding windows summed back into an image of `outputSize`.
 * @example F.fold(cols, [4, 5], 2).shape; // [N, C, 4, 5]
 */
export function fold(
  cols: Tensor,
  outputSize: number | number[],
  kernelSize: number | number[],
  options: { padding?: number | number[]; stride?: number | number[] } = {},
): Tensor {
  const args = windowArgs(kernelSize, options);
  const size = pair(outputSize);
  const [kh, kw] = args.kernel;
  const l =
    windows(size[0], kh, args.stride[0], args.padding[0]) *
    windows(size[1], kw, args.stride[1], args.padding[1]);
  if (cols.dim() !== 3 || cols.shape[1] % (kh * kw) !== 0 || cols.shape[2] !== l) {
    throw new Error(
      `Expected input's size at dimensions 1 and 2 to match the kernel size and the number of sliding blocks (${l}), but got input.size(1)=${cols.shape[1]}, input.size(2)=${cols.shape[2]}.`,
    );
  }
  return apply(Col2Im, [cols], { ...args, size });
}

export function windowArgs(
  kernelSize: number | readonly number[],
  options: { padding?: number | readonly number[]; stride?: number | readonly number[] },
): WindowArgs {
  return {
    kernel: pair(kernelSize),
    stride: pair(options.stride ?? 1),
    padding: pair(options.padding ?? 0),
  };
}
