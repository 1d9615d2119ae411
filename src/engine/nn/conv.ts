// Convolution and pooling layers: nn.Conv1d, nn.Conv2d (weights [out, in, ...kernel] and
// PyTorch's default init, drawn in PyTorch's order) and nn.MaxPool2d.
import { empty } from '../factories';
import { noGrad } from '../grad-mode';
import type { Tensor } from '../tensor';
import * as F from './functional';
import { Module } from './module';
import { Parameter } from './parameter';

export interface ConvLayerOptions {
  stride?: number;
  padding?: number;
  bias?: boolean;
}

const tuple = (v: readonly number[]): string => `(${v.join(', ')}${v.length === 1 ? ',' : ''})`;

abstract class ConvNd extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: number | number[],
    options: ConvLayerOptions,
    spatial: number,
  ) {
    super();
    const each = (v: number | number[]) =>
      typeof v === 'number' ? new Array<number>(spatial).fill(v) : v.slice();
    this.kernelSize = each(kernelSize);
    this.stride = each(options.stride ?? 1);
    this.padding = each(options.padding ?? 0);
    this.weight = new Parameter(empty(outChannels, inChannels, ...this.kernelSize));
    this.bias = (options.bias ?? true) ? new Parameter(empty(outChannels)) : null;
    this.resetParameters();
  }

  /** PyTorch's default init: uniform in ±1/sqrt(fan_in) for the weight, then the bias. */
  resetParameters(): void {
    const fanIn = this.inChannels * this.kernelSize.reduce((p, q) => p * q, 1);
    // kaiming_uniform_(a=sqrt(5)): gain = sqrt(2 / (1 + 5)), bound = sqrt(3) * gain / sqrt(fan_in).
    const bound = Math.sqrt(3) * (Math.sqrt(2 / 6) / Math.sqrt(fanIn));
    noGrad(() => {
      this.weight.uniform_(-bound, bound);
      if (this.bias !== null) {
        const b = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        this.bias.uniform_(-b, b);
      }
    });
  }

  override extraRepr(): string {
    const padding = this.padding.some((p) => p !== 0) ? `, padding=${tuple(this.padding)}` : '';
    const bias = this.bias === null ? ', bias=False' : '';
    return `${this.inChannels}, ${this.outChannels}, kernel_size=${tuple(this.kernelSize)}, stride=${tuple(this.stride)}${padding}${bias}`;
  }
}

/**
 * @example
 * const conv = new torch.nn.Conv1d(16, 33, 3, { stride: 2 });
 * conv.forward(torch.randn(20, 16, 50)).shape; // [20, 33, 24]
 */
export class Conv1d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number,
    options: ConvLayerOptions = {},
  ) {
    super(inChannels, outChannels, kernelSize, options, 1);
  }

  forward(x: Tensor): Tensor {
    return F.conv1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}

/**
 * @example
 * const conv = new torch.nn.Conv2d(1, 6, 5, { padding: 2 });
 * conv.forward(torch.randn(64, 1, 28, 28)).shape; // [64, 6, 28, 28]
 */
export class Conv2d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | number[],
    options: ConvLayerOptions = {},
  ) {
    super(inChannels, outChannels, kernelSize, options, 2);
  }

  forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
}

/**
 * @example
 * const pool = new torch.nn.MaxPool2d(2);
 * pool.forward(torch.randn(64, 6, 28, 28)).shape; // [64, 6, 14, 14]
 */
export class MaxPool2d extends Module {
  readonly stride: number;
  readonly padding: number;

  constructor(
    readonly kernelSize: number,
    options: { stride?: number; padding?: number } = {},
  ) {
    super();
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
  }

  forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }

  override extraRepr(): string {
    return `kernel_size=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, dilation=1, ceil_mode=False`;
  }
}
