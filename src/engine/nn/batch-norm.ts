// nn.BatchNorm1d: batch normalization over the channel dim of [N, C] or [N, C, L] inputs,
// with running statistics updated in training and used in eval, as in PyTorch.
import { ones, tensor, zeros } from '../factories';
import { pythonFloat } from '../print/python-float';
import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';
import { Parameter } from './parameter';

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the new batch in the running statistics. */
  momentum?: number;
  /** A learnt scale (ones) and shift (zeros). */
  affine?: boolean;
  /** Keep running statistics (else eval normalises with the batch's, as training does). */
  trackRunningStats?: boolean;
}

/**
 * @example
 * const bn = new torch.nn.BatchNorm1d(100);
 * bn.forward(torch.randn(32, 100)); // normalised per feature with the batch's statistics
 * bn.runningMean; // moved 10 % towards the batch mean
 */
export class BatchNorm1d extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  /** Training batches seen (PyTorch's `num_batches_tracked`). */
  numBatchesTracked = 0;
  readonly eps: number;
  readonly momentum: number;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    this.weight = this.affine ? new Parameter(ones(numFeatures)) : null;
    this.bias = this.affine ? new Parameter(zeros(numFeatures)) : null;
    this.runningMean = this.trackRunningStats ? zeros(numFeatures) : null;
    this.runningVar = this.trackRunningStats ? ones(numFeatures) : null;
  }

  forward(x: Tensor): Tensor {
    if (x.dim() !== 2 && x.dim() !== 3)
      throw new Error(`expected 2D or 3D input (got ${x.dim()}D input)`);
    if (x.shape[1] !== this.numFeatures) {
      throw new Error(`running_mean should contain ${x.shape[1]} elements not ${this.numFeatures}`);
    }
    if (this.training && this.trackRunningStats) this.numBatchesTracked++;
    const useBatch = this.training || !this.trackRunningStats;
    return F.batchNorm(
      x,
      useBatch && !this.training ? null : this.runningMean,
      useBatch && !this.training ? null : this.runningVar,
      this.weight,
      this.bias,
      useBatch,
      this.momentum,
      this.eps,
    );
  }

  /** PyTorch's buffers; none without running statistics. */
  protected override ownBuffers(): [string, Tensor][] {
    if (this.runningMean === null || this.runningVar === null) return [];
    return [
      ['running_mean', this.runningMean],
      ['running_var', this.runningVar],
      ['num_batches_tracked', tensor(this.numBatchesTracked, { dtype: 'int64' })],
    ];
  }

  protected override loadOwnBuffer(name: string, value: Tensor): void {
    const stat =
      name === 'running_mean' ? this.runningMean : name === 'running_var' ? this.runningVar : null;
    // Copied into the live tensors, as PyTorch does, so references to them stay valid.
    if (stat !== null) stat.data = value.to(stat.dtype);
    else if (name === 'num_batches_tracked') this.numBatchesTracked = value.item();
    else super.loadOwnBuffer(name, value);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pythonFloat(this.eps)}, momentum=${pythonFloat(this.momentum)}, affine=${this.affine ? 'True' : 'False'}, track_running_stats=${this.trackRunningStats ? 'True' : 'False'}`;
  }
}
