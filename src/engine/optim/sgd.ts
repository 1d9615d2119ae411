import type { Tensor } from '../tensor';
import { flat, Optimizer, type Params } from './optimizer';

/** SGD options, PyTorch's names in camelCase. */
export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

/**
 * Stochastic gradient descent with optional momentum and weight decay, PyTorch's update rule.
 * @example
 * const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDOptions> {
  protected readonly pythonDefaults = {
    dampening: 0,
    differentiable: false,
    foreach: null,
    lr: 0,
    maximize: false,
    momentum: 0,
    nesterov: false,
    weight_decay: 0,
  };

  constructor(params: Params<SGDOptions>, options: SGDOptions) {
    // JavaScript callers may leave lr out.
    if ((options.lr as number | undefined) === undefined || options.lr < 0)
      throw new Error(`Invalid learning rate: ${options.lr}`);
    super(params, options);
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, unknown>, o: SGDOptions): void {
    const w = flat(p);
    const g = flat(grad);
    const n = w.length;
    const wd = o.weightDecay ?? 0;
    const momentum = o.momentum ?? 0;
    const dampening = o.dampening ?? 0;
    const sign = o.maximize ? -1 : 1;
    let d: Float32Array | Float64Array = g;
    if (wd !== 0 || sign < 0) {
      d = g.slice();
      for (let i = 0; i < n; i++) d[i] = sign * g[i] + (wd !== 0 ? wd * w[i] : 0);
    }
    if (momentum !== 0) {
      let buf = state.momentumBuffer as Float32Array | Float64Array | undefined;
      if (buf === undefined) {
        buf = d.slice();
        state.momentumBuffer = buf;
      } else {
        for (let i = 0; i < n; i++) buf[i] = buf[i] * momentum + (1 - dampening) * d[i];
      }
      if (o.nesterov) {
        const nd = d.slice();
        for (let i = 0; i < n; i++) nd[i] = d[i] + momentum * buf[i];
        d = nd;
      } else d = buf;
    }
    for (let i = 0; i < n; i++) w[i] -= o.lr * d[i];
  }
}
