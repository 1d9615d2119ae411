// Layers. Linear's init is PyTorch's (kaiming_uniform_ with a = sqrt(5), then the bias
// uniform in ±1/sqrt(fan_in)), drawn from the same generator, so `manualSeed` gives
// PyTorch's initial weights.
import { empty, ones, zeros } from '../factories';
import { noGrad } from '../grad-mode';
import { pythonFloat } from '../print/python-float';
import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';
import { Parameter } from './parameter';

/**
 * `y = x W^T + b`.
 * @example
 * const fc = new torch.nn.Linear(784, 256);
 * fc.forward(torch.randn(64, 784)).shape; // [64, 256]
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    bias = true,
  ) {
    super();
    this.weight = new Parameter(empty(outFeatures, inFeatures));
    this.bias = bias ? new Parameter(empty(outFeatures)) : null;
    this.resetParameters();
  }

  /** PyTorch's default init. @example fc.resetParameters(); */
  resetParameters(): void {
    const fanIn = this.inFeatures;
    // kaiming_uniform_(a=sqrt(5)): gain = sqrt(2 / (1 + 5)), bound = sqrt(3) * gain / sqrt(fan_in).
    const gain = Math.sqrt(2 / (1 + 5));
    const bound = Math.sqrt(3) * (gain / Math.sqrt(fanIn));
    noGrad(() => {
      this.weight.uniform_(-bound, bound);
      if (this.bias !== null) {
        const b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        this.bias.uniform_(-b, b);
      }
    });
  }

  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? 'True' : 'False'}`;
  }
}

/**
 * A table of `num` vectors of size `dim`, looked up by int64 index; initialised N(0, 1) as in
 * PyTorch.
 * @example
 * const emb = new torch.nn.Embedding(27, 10);
 * emb.forward(torch.tensor([[1, 5, 0]], { dtype: 'int64' })).shape; // [1, 3, 10]
 */
export class Embedding extends Module {
  weight: Parameter;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
  ) {
    super();
    this.weight = new Parameter(empty(numEmbeddings, embeddingDim));
    noGrad(() => this.weight.normal_(0, 1));
  }

  forward(indices: Tensor): Tensor {
    return F.embedding(indices, this.weight);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}`;
  }
}

/**
 * Layer normalisation over the trailing `normalizedShape` dims with a learnt scale (ones) and
 * shift (zeros), as PyTorch initialises them.
 * @example
 * const ln = new torch.nn.LayerNorm([64]);
 * ln.forward(torch.randn(8, 64)).shape; // [8, 64]
 */
export class LayerNorm extends Module {
  weight: Parameter;
  bias: Parameter;
  readonly normalizedShape: number[];

  constructor(
    normalizedShape: number | number[],
    readonly eps = 1e-5,
  ) {
    super();
    this.normalizedShape =
      typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
    this.weight = new Parameter(ones(...this.normalizedShape));
    this.bias = new Parameter(zeros(...this.normalizedShape));
  }

  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `(${this.normalizedShape.join(', ')},), eps=${pythonFloat(this.eps)}, elementwise_affine=True`;
  }
}

/** @example new torch.nn.ReLU().forward(x); */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** @example new torch.nn.Sigmoid().forward(x); */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** @example new torch.nn.Tanh().forward(x); */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** GELU as a layer; `'tanh'` for PyTorch's tanh approximation. @example new torch.nn.GELU(); */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.gelu(x, this.approximate);
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** x·σ(x) as a layer. @example new torch.nn.SiLU(); */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

/** @example new torch.nn.LeakyReLU(0.2); */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${pythonFloat(this.negativeSlope)}`;
  }
}

/** log(1 + e^(βx))/β as a layer. @example new torch.nn.Softplus(); */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.softplus(x, this.beta, this.threshold);
  }

  // PyTorch 1.13's defaults are ints (`beta=1, threshold=20`), printed as given.
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** @example new torch.nn.ELU(); */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${pythonFloat(this.alpha)}`;
  }
}

/** @example new torch.nn.Softmax(1).forward(x); */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
}

/** @example new torch.nn.LogSoftmax(1).forward(x); */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.logSoftmax(this.dim);
  }
}

/**
 * Zeroes elements with probability `p` while training; identity after `eval()`.
 * @example new torch.nn.Dropout(0.2);
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (p < 0 || p > 1)
      throw new Error(`dropout probability has to be between 0 and 1, but got ${p}`);
  }

  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}, inplace=False`;
  }
}

/**
 * Flattens dims startDim..endDim (default: all but the batch dim).
 * @example new torch.nn.Flatten().forward(torch.zeros(2, 28, 28)).shape; // [2, 784]
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}

/**
 * Runs modules in order; they are named "0", "1", ... as in PyTorch.
 * @example
 * const net = new torch.nn.Sequential(new torch.nn.Linear(1, 10), new torch.nn.ReLU(), new torch.nn.Linear(10, 1));
 */
export class Sequential extends Module {
  [index: number]: Module;
  override readonly length: number;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => (this[i] = m));
    this.length = modules.length;
  }

  /** Tensors in, tensor out, so `model.forward(x).sum()` type-checks without a cast. */
  forward(x: Tensor): Tensor {
    let y: unknown = x;
    for (let i = 0; i < this.length; i++) y = this[i].forward(y);
    return y as Tensor;
  }
}
