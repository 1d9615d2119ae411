// Convolution as one node, as PyTorch records it (ConvolutionBackward0 with input, weight and
// bias as its inputs): the windows of the input as columns (im2col), one matrix product with
// the weight for the whole batch. Backward is the same products transposed, with col2im for
// the input, written with tensor ops so createGraph gives second derivatives.
import { allocate } from '../dtype';
import { zeros } from '../factories';
import { noGrad } from '../grad-mode';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { contiguousData, fromStorage } from './kernels';
import { apply, type Primitive } from './op';
import { Col2Im, Im2Col, windowArgs, windows, type WindowArgs } from './unfold';

export interface ConvArgs extends WindowArgs {
  /** Conv1d: input [N, C, L] and weight [O, C, k] run as 2-D with a height of 1. */
  readonly oneD: boolean;
}

/** The columns of every window of the batch side by side: [C·kh·kw, N·L]. */
const batchColumns = (x: Tensor, args: WindowArgs): Tensor =>
  apply(Im2Col, [x], { ...args, batchInner: true });

const as2d = (t: Tensor, oneD: boolean): Tensor => (oneD ? t.unsqueeze(2) : t);
const from2d = (t: Tensor, oneD: boolean): Tensor => (oneD ? t.squeeze(2) : t);

function outputSize(x: Tensor, args: WindowArgs): [number, number] {
  const [, , h, w] = x.shape;
  return [
    windows(h, args.kernel[0], args.stride[0], args.padding[0]),
    windows(w, args.kernel[1], args.stride[1], args.padding[1]),
  ];
}

/** The forward on raw storage: one product for the whole batch, then bias and layout. */
function convolve(x: Tensor, w: Tensor, b: Tensor, args: WindowArgs): Tensor {
  const [oh, ow] = outputSize(x, args);
  const [n] = x.shape;
  const o = w.shape[0];
  const l = oh * ow;
  const y = contiguousData(w.reshape(o, -1).matmul(batchColumns(x, args)));
  const bias = contiguousData(b);
  const out = allocate(x.dtype, n * o * l);
  // y is [O, N·L]; the output [N, O, L] takes each row's slice of each image, plus the bias.
  for (let img = 0; img < n; img++)
    for (let c = 0; c < o; c++) {
      const from = c * n * l + img * l;
      const to = (img * o + c) * l;
      const add = bias[c];
      for (let p = 0; p < l; p++) out[to + p] = y[from + p] + add;
    }
  return fromStorage(out, [n, o, oh, ow], x.dtype);
}

export const Convolution: Primitive<ConvArgs> = {
  name: 'ConvolutionBackward0',
  arity: 3,
  saves: [0, 1],
  savedFor: [[1], [0]],
  forward: ([x, w, b], args) =>
    noGrad(() => {
      const y = convolve(as2d(x, args.oneD), as2d(w, args.oneD), b, args);
      return args.oneD ? fromStorage(y._data, [y.shape[0], y.shape[1], y.shape[3]], y.dtype) : y;
    }),
  backward: (g, { saved: [x, w], needs, shapes, args }) => {
    const g4 = as2d(g, args.oneD);
    const [n, o] = g4.shape;
    // The output gradient as [O, N·L], the layout of the forward product.
    const gm = g4.reshape(n, o, -1).permute(1, 0, 2).reshape(o, -1);
    let gx: Tensor | null = null;
    if (needs[0]) {
      const cols = as2d(w, args.oneD).reshape(o, -1).t().matmul(gm);
      const size: [number, number] = args.oneD ? [1, shapes[0][2]] : [shapes[0][2], shapes[0][3]];
      gx = from2d(apply(Col2Im, [cols], { ...args, size, batchInner: true }), args.oneD);
    }
    const gw = needs[1]
      ? gm.matmul(batchColumns(as2d(x, args.oneD), args).t()).reshape(...shapes[1])
      : null;
    const gb = needs[2] ? gm.sum(1) : null;
    return [gx, gw, gb];
  },
};

export interface ConvOptions {
  stride?: number | number[];
  padding?: number | number[];
}

function checkShapes(x: Tensor, w: Tensor, spatial: number): void {
  const expected = spatial + 2;
  if (x.dim() !== expected) {
    throw new Error(
      `Expected ${expected - 1}D (unbatched) or ${expected}D (batched) input to conv${spatial}d, but got input of size: ${formatShape(x.shape)}`,
    );
  }
  if (x.shape[1] !== w.shape[1]) {
    throw new Error(
      `Given groups=1, weight of size ${formatShape(w.shape)}, expected input${formatShape(x.shape)} to have ${w.shape[1]} channels, but got ${x.shape[1]} channels instead`,
    );
  }
}

function conv(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  options: ConvOptions,
  oneD: boolean,
): Tensor {
  checkShapes(x, weight, oneD ? 1 : 2);
  const window = oneD
    ? windowArgs([1, weight.shape[2]], {
        stride: [
          1,
          typeof options.stride === 'number' ? options.stride : (options.stride?.[0] ?? 1),
        ],
        padding: [
          0,
          typeof options.padding === 'number' ? options.padding : (options.padding?.[0] ?? 0),
        ],
      })
    : windowArgs([weight.shape[2], weight.shape[3]], options);
  const [hIn, wIn] = oneD ? [1, x.shape[2]] : [x.shape[2], x.shape[3]];
  const padded = [hIn + 2 * window.padding[0], wIn + 2 * window.padding[1]];
  if (padded[0] < window.kernel[0] || padded[1] < window.kernel[1]) {
    throw new Error(
      `Calculated padded input size per channel: (${oneD ? padded[1] : padded.join(' x ')}). Kernel size: (${oneD ? window.kernel[1] : window.kernel.join(' x ')}). Kernel size can't be greater than actual input size`,
    );
  }
  // Without a bias PyTorch's node still has three inputs, the last one None.
  const b = bias ?? zeros(weight.shape[0], { dtype: weight.dtype });
  return apply(Convolution, [x, weight, b], { ...window, oneD });
}

/** @example F.conv2d(x, weight, bias, { padding: 1 }); */
export const conv2d = (
  x: Tensor,
  w: Tensor,
  b: Tensor | null = null,
  o: ConvOptions = {},
): Tensor => conv(x, w, b, o, false);

/** @example F.conv1d(x, weight, bias, { stride: 2 }); */
export const conv1d = (
  x: Tensor,
  w: Tensor,
  b: Tensor | null = null,
  o: ConvOptions = {},
): Tensor => conv(x, w, b, o, true);
