// Loss primitives that PyTorch implements as single nodes (MseLossBackward0,
// NllLossBackward0, BinaryCrossEntropyBackward0). Composite losses live in nn/functional.
import { allocate, isFloating } from '../dtype';
import { broadcastShapes, sameShape } from '../shape';
import { torchSize } from '../print/size';
import type { Tensor } from '../tensor';
import { warnOnce } from '../warn';
import { binaryKernel, contiguousData, fromStorage } from './kernels';
import { apply, type Primitive } from './op';

/** How a loss reduces its per-element values. */
export type Reduction = 'mean' | 'sum' | 'none';

interface ReductionArgs {
  readonly reduction: Reduction;
}

function reduceLoss(elementwise: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return elementwise;
  const d = elementwise._data;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  if (reduction === 'mean') s /= d.length;
  const out = allocate(elementwise.dtype, 1);
  out[0] = s;
  return fromStorage(out, [], elementwise.dtype);
}

/** The output gradient spread over the elements: divided by N for 'mean'. */
function spread(g: Tensor, n: number, reduction: Reduction): Tensor {
  return reduction === 'mean' ? g.div(n) : g;
}

function mismatchMessage(what: string, input: Tensor, target: Tensor): string {
  return `${what}: Using a target size (${torchSize(target.shape)}) that is different to the input size (${torchSize(input.shape)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.`;
}

/** binary_cross_entropy refuses what mse_loss only warns about, with its own wording. */
function checkSameShape(input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(
      `Using a target size (${torchSize(target.shape)}) that is different to the input size (${torchSize(input.shape)}) is deprecated. Please ensure they have the same size.`,
    );
  }
}

export const MseLoss: Primitive<ReductionArgs> = {
  name: 'MseLossBackward0',
  arity: 2,
  saves: [0, 1],
  forward: ([a, b], { reduction }) =>
    reduceLoss(
      binaryKernel(a, b, a.dtype, (x, y) => (x - y) * (x - y)),
      reduction,
    ),
  backward: (g, { saved: [a, b], needs, args: { reduction } }) => {
    const ga = a
      .sub(b)
      .mul(2)
      .mul(spread(g, a.numel(), reduction));
    return [needs[0] ? ga : null, needs[1] ? ga.neg() : null];
  },
};

interface NllArgs extends ReductionArgs {
  readonly target: Tensor;
}

/** A constant [N, C] (or [C]) matrix with -1 at each target, the Jacobian of nll_loss. */
function targetMask(shape: readonly number[], dtype: Tensor['dtype'], target: Tensor): Tensor {
  const t = contiguousData(target);
  const classes = shape[shape.length - 1];
  const out = allocate(
    dtype,
    shape.reduce((p, q) => p * q, 1),
  );
  for (let i = 0; i < t.length; i++) out[i * classes + t[i]] = -1;
  return fromStorage(out, shape.slice(), dtype);
}

export const NllLoss: Primitive<NllArgs> = {
  name: 'NllLossBackward0',
  arity: 1,
  forward: ([input], { target, reduction }) => {
    const x = contiguousData(input);
    const t = contiguousData(target);
    const classes = input.shape[input.dim() - 1];
    const per = allocate(input.dtype, t.length);
    for (let i = 0; i < t.length; i++) {
      const c = t[i];
      if (c < 0 || c >= classes) throw new Error(`Target ${c} is out of bounds.`);
      per[i] = -x[i * classes + c];
    }
    return reduceLoss(fromStorage(per, target.shape.slice(), input.dtype), reduction);
  },
  backward: (g, { shapes, args: { target, reduction } }) => {
    const mask = targetMask(shapes[0], g.dtype, target);
    const n = target.numel();
    const perRow = reduction === 'none' && shapes[0].length === 2 ? g.unsqueeze(1) : g;
    return [mask.mul(spread(perRow, n, reduction))];
  },
};

export const BinaryCrossEntropy: Primitive<ReductionArgs> = {
  name: 'BinaryCrossEntropyBackward0',
  arity: 2,
  saves: [0, 1],
  forward: ([x, t], { reduction }) => {
    const xs = contiguousData(x);
    for (let i = 0; i < xs.length; i++) {
      if (!(xs[i] >= 0 && xs[i] <= 1))
        throw new Error('all elements of input should be between 0 and 1');
    }
    // PyTorch clamps each log at -100 so that x = 0 or 1 gives a finite loss.
    const per = binaryKernel(
      x,
      t,
      x.dtype,
      (p, y) => -(y * Math.max(Math.log(p), -100) + (1 - y) * Math.max(Math.log(1 - p), -100)),
    );
    return reduceLoss(per, reduction);
  },
  backward: (g, { saved: [x, t], needs, args: { reduction } }) => {
    const gs = spread(g, x.numel(), reduction);
    const gx = needs[0] ? gs.mul(x.sub(t)).div(x.mul(x.rsub(1)).clamp(1e-12, null)) : null;
    const gt = needs[1]
      ? gs.mul(x.rsub(1).log().clamp(-100, null).sub(x.log().clamp(-100, null)))
      : null;
    return [gx, gt];
  },
};

export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  if (!sameShape(input.shape, target.shape)) {
    // PyTorch warns and broadcasts (raising its broadcast error when the shapes do not fit).
    const shape = broadcastShapes(input.shape, target.shape);
    warnOnce(mismatchMessage('mse_loss', input, target));
    return apply(MseLoss, [input.expand(...shape), target.expand(...shape)], { reduction });
  }
  return apply(MseLoss, [input, target], { reduction });
}

export function nllLoss(input: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  if (target.dtype !== 'int64') {
    throw new Error(
      `expected scalar type Long but found ${target.dtype === 'float64' ? 'Double' : 'Float'}`,
    );
  }
  if (input.dim() === 2 && (target.dim() !== 1 || target.shape[0] !== input.shape[0])) {
    throw new Error(
      `Expected input batch_size (${input.shape[0]}) to match target batch_size (${target.shape[0] ?? 0}).`,
    );
  }
  return apply(NllLoss, [input], { target, reduction });
}

export function binaryCrossEntropy(
  input: Tensor,
  target: Tensor,
  reduction: Reduction = 'mean',
): Tensor {
  checkSameShape(input, target);
  if (!isFloating(target.dtype)) throw new Error('Found dtype Long but expected Float');
  return apply(BinaryCrossEntropy, [input, target], { reduction });
}
