// Batch normalization as one node, as PyTorch records it (NativeBatchNormBackward0 with
// input, weight and bias as its three inputs). Training normalises with the batch's
// statistics over every dim but the channel dim (1) and updates the running ones; eval uses
// the running statistics. Forward runs without history; backward is written with tensor ops,
// so createGraph gives second derivatives.
import { ones, zeros } from '../factories';
import { noGrad } from '../grad-mode';
import { formatShape } from '../shape';
import type { Tensor } from '../tensor';
import { apply, type Primitive } from './op';

export interface BatchNormArgs {
  /** The dims the statistics are taken over: all but the channel dim. */
  readonly dims: number[];
  readonly eps: number;
  /** Eval: the running mean and variance at the time of the call (copies). */
  readonly running: { readonly mean: Tensor; readonly var: Tensor } | null;
}

/** A per-channel vector shaped to broadcast against the input: [C] -> [1, C, 1, ...]. */
function perChannel(v: Tensor, ndim: number): Tensor {
  return v.reshape(1, v.numel(), ...new Array<number>(ndim - 2).fill(1));
}

/** (x − mean) · rstd with the batch's (biased) or the running statistics, and rstd. */
function normalise(x: Tensor, { dims, eps, running }: BatchNormArgs): [Tensor, Tensor] {
  if (running !== null) {
    const rstd = perChannel(running.var.add(eps).pow(-0.5), x.dim());
    return [x.sub(perChannel(running.mean, x.dim())).mul(rstd), rstd];
  }
  const centred = x.sub(x.mean(dims, true));
  const rstd = centred.mul(centred).mean(dims, true).add(eps).pow(-0.5);
  return [centred.mul(rstd), rstd];
}

export const BatchNorm: Primitive<BatchNormArgs> = {
  name: 'NativeBatchNormBackward0',
  arity: 3,
  saves: [0, 1],
  savedFor: [[0, 1], [0]],
  forward: ([x, w, b], args) =>
    noGrad(() => normalise(x, args)[0].mul(perChannel(w, x.dim())).add(perChannel(b, x.dim()))),
  backward: (g, { saved: [x, w], needs, args }) => {
    const [xhat, rstd] = normalise(x, args);
    let gx: Tensor | null = null;
    if (needs[0]) {
      const dxhat = g.mul(perChannel(w, x.dim()));
      // The batch statistics depend on x too: project their part out (as in layer norm).
      gx =
        args.running !== null
          ? dxhat.mul(rstd)
          : dxhat
              .sub(dxhat.mean(args.dims, true))
              .sub(xhat.mul(dxhat.mul(xhat).mean(args.dims, true)))
              .mul(rstd);
    }
    return [gx, needs[1] ? g.mul(xhat).sum(args.dims) : null, needs[2] ? g.sum(args.dims) : null];
  },
};

/** running ← (1 − momentum) · running + momentum · batch (the variance unbiased), in place. */
function updateRunning(
  x: Tensor,
  dims: number[],
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  momentum: number,
): void {
  noGrad(() => {
    if (runningMean !== null) runningMean.mul_(1 - momentum).add_(x.mean(dims).mul(momentum));
    if (runningVar !== null) runningVar.mul_(1 - momentum).add_(x.var(dims).mul(momentum));
  });
}

export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight: Tensor | null = null,
  bias: Tensor | null = null,
  training = false,
  momentum = 0.1,
  eps = 1e-5,
): Tensor {
  if (x.dim() < 2) {
    throw new Error(`batch_norm expects an input of at least 2 dims, got ${formatShape(x.shape)}`);
  }
  const channels = x.shape[1];
  const dims = x.shape.map((_, d) => d).filter((d) => d !== 1);
  if (training && x.numel() / channels <= 1) {
    throw new Error(
      `Expected more than 1 value per channel when training, got input size torch.Size(${formatShape(x.shape)})`,
    );
  }
  if (!training && (runningMean === null || runningVar === null)) {
    throw new Error('running_mean and running_var must be defined in evaluation mode');
  }
  if (training) updateRunning(x, dims, runningMean, runningVar, momentum);
  const running =
    training || runningMean === null || runningVar === null
      ? null
      : { mean: runningMean.detach().clone(), var: runningVar.detach().clone() };
  // Without an affine part PyTorch's node still has three inputs: weight and bias are None.
  const w = weight ?? ones(channels, { dtype: x.dtype });
  const b = bias ?? zeros(channels, { dtype: x.dtype });
  return apply(BatchNorm, [x, w, b], { dims, eps, running });
}
