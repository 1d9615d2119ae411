// torch.nn.functional: stateless forms of the layers and losses.
import * as A from '../ops/activations';
import { embedding as lookup, oneHot as encode } from '../ops/embedding';
import { addmm } from '../ops/linalg';
import { batchNorm as batchNormalise } from '../ops/batch-norm';
export { conv1d, conv2d, type ConvOptions } from '../ops/convolution';
export { maxPool2d, type PoolOptions } from '../ops/pooling';
export { fold, unfold } from '../ops/unfold';
import { layerNorm as normalise } from '../ops/normalization';
import { apply } from '../ops/op';
import {
  binaryCrossEntropy as bce,
  mseLoss as mse,
  nllLoss as nll,
  type Reduction,
} from '../ops/loss';
import { allocate } from '../dtype';
import { fillBernoulliMask, randomUnit } from '../random';
import { Tensor } from '../tensor';

export type { Reduction };

/** @example F.relu(x); */
export const relu = (x: Tensor): Tensor => x.relu();
/** @example F.sigmoid(x); */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
/** @example F.tanh(x); */
export const tanh = (x: Tensor): Tensor => x.tanh();
/**
 * GELU, exact (erf) form, or PyTorch's tanh approximation with `'tanh'`.
 * @example F.gelu(x); F.gelu(x, 'tanh');
 */
export const gelu = (x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor => {
  // Plain JavaScript callers can pass any string.
  if (!(['none', 'tanh'] as string[]).includes(approximate))
    throw new Error(`approximate argument must be either none or tanh.`);
  return apply(A.Gelu, [x], { approximate });
};
/** x·sigmoid(x). @example F.silu(x); */
export const silu = (x: Tensor): Tensor => apply(A.Silu, [x], undefined);
/** @example F.leakyRelu(x, 0.2); */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor =>
  apply(A.LeakyRelu, [x], { slope: negativeSlope });
/** log(1 + e^(βx))/β; linear where βx > threshold. @example F.softplus(x); */
export const softplus = (x: Tensor, beta = 1, threshold = 20): Tensor =>
  apply(A.Softplus, [x], { beta, threshold });
/** @example F.elu(x, 1.0); */
export const elu = (x: Tensor, alpha = 1): Tensor => apply(A.Elu, [x], { alpha });
/** The rows of `weight` at `indices` (int64, any shape). @example F.embedding(ids, table); */
export const embedding = (indices: Tensor, weight: Tensor): Tensor => lookup(indices, weight);
/** int64 one-hot rows, `numClasses` wide (default: the largest class + 1). @example F.oneHot(y, 10); */
export const oneHot = (t: Tensor, numClasses = -1): Tensor => encode(t, numClasses);
/**
 * Normalises over the trailing `normalizedShape` dims, then scales and shifts.
 * @example F.layerNorm(x, [64], ln.weight, ln.bias);
 */
export const layerNorm = (
  x: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor,
  bias: Tensor,
  eps = 1e-5,
): Tensor => normalise(x, normalizedShape, weight, bias, eps);
/**
 * Normalises each channel (dim 1) with the batch's statistics (`training`, which also moves
 * the running ones by `momentum`) or the running ones, then scales and shifts.
 * @example F.batchNorm(x, bn.runningMean, bn.runningVar, bn.weight, bn.bias, true);
 */
export const batchNorm = batchNormalise;
/** @example F.softmax(x, 1); */
export const softmax = (x: Tensor, dim: number): Tensor => x.softmax(dim);
/** @example F.logSoftmax(x, 1); */
export const logSoftmax = (x: Tensor, dim: number): Tensor => x.logSoftmax(dim);

/**
 * `x @ weight.T + bias`: one AddmmBackward0 node for 2-D input, as PyTorch records it, and
 * for contiguous 3-D input (a batch of sequences) the rows flattened into one addmm and
 * viewed back (ViewBackward0 <- AddmmBackward0), as PyTorch's fused path does.
 * @example F.linear(x, w, b);
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (x.dim() === 2 && bias !== null) return addmm(bias, x, weight.t());
  if (x.dim() === 3 && bias !== null && x.isContiguous()) {
    const [n, t, features] = x.shape;
    const out = addmm(bias, x.view(n * t, features), weight.t());
    return out.view(n, t, out.size(1));
  }
  const out = x.matmul(weight.t());
  return bias === null ? out : out.add(bias);
}

/**
 * Zeroes each element with probability `p` in training and scales the rest by 1/(1-p).
 * @example F.dropout(x, 0.2, model.training);
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (p < 0 || p > 1)
    throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  const keep = 1 - p;
  const mask = allocate(x.dtype, x.numel());
  if (p < 1 && (mask instanceof Float32Array || mask instanceof Float64Array))
    fillBernoulliMask(mask, keep, 1 / keep);
  else if (p < 1)
    for (let i = 0; i < mask.length; i++) mask[i] = randomUnit() < keep ? 1 / keep : 0;
  const noise = Tensor._fromFlat(mask, x.shape.slice(), x.dtype);
  // PyTorch records the mask product as MulBackward0.
  return x.mul(noise);
}

/** @example F.mseLoss(pred, target); */
export function mseLoss(
  input: Tensor,
  target: Tensor,
  options: { reduction?: Reduction } = {},
): Tensor {
  return mse(input, target, options.reduction ?? 'mean');
}

/** @example F.nllLoss(logProbs, target); */
export function nllLoss(
  input: Tensor,
  target: Tensor,
  options: { reduction?: Reduction } = {},
): Tensor {
  return nll(input, target, options.reduction ?? 'mean');
}

/**
 * Cross-entropy with class-index targets (dtype int64): logSoftmax then nll_loss.
 * @example F.crossEntropy(logits, torch.tensor([0, 2], { dtype: 'int64' }));
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  options: { reduction?: Reduction } = {},
): Tensor {
  return nll(input.logSoftmax(input.dim() === 1 ? 0 : 1), target, options.reduction ?? 'mean');
}

/** Mean absolute error, composed as PyTorch 2.x does. @example F.l1Loss(pred, target); */
export function l1Loss(
  input: Tensor,
  target: Tensor,
  options: { reduction?: Reduction } = {},
): Tensor {
  const diff = input.sub(target).abs();
  const reduction = options.reduction ?? 'mean';
  return reduction === 'none' ? diff : reduction === 'sum' ? diff.sum() : diff.mean();
}

/** @example F.binaryCrossEntropy(probs, targets); */
export function binaryCrossEntropy(
  input: Tensor,
  target: Tensor,
  options: { reduction?: Reduction } = {},
): Tensor {
  return bce(input, target, options.reduction ?? 'mean');
}
