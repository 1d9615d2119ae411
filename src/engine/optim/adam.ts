import type { Tensor } from '../tensor';
import { flat, Optimizer, type Params } from './optimizer';
import { wasmAdam } from '../wasm/adam';

/** Adam options, PyTorch's names and defaults. */
export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

type Resolved = Required<Omit<AdamOptions, 'lr'>> & { lr: number };

/**
 * Adam, PyTorch's single-tensor algorithm step for step.
 * @example
 * const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer<Resolved> {
  protected readonly pythonDefaults = {
    amsgrad: false,
    betas: [0.9, 0.999],
    capturable: false,
    differentiable: false,
    eps: 1e-8,
    foreach: null,
    fused: false,
    lr: 1e-3,
    maximize: false,
    weight_decay: 0,
  };

  constructor(params: Params<Resolved>, options: AdamOptions = {}) {
    const o: Resolved = {
      lr: options.lr ?? 1e-3,
      betas: options.betas ?? [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      amsgrad: options.amsgrad ?? false,
      maximize: options.maximize ?? false,
    };
    if (o.lr < 0) throw new Error(`Invalid learning rate: ${o.lr}`);
    if (!(o.betas[0] >= 0 && o.betas[0] < 1))
      throw new Error(`Invalid beta parameter at index 0: ${o.betas[0]}`);
    if (!(o.betas[1] >= 0 && o.betas[1] < 1))
      throw new Error(`Invalid beta parameter at index 1: ${o.betas[1]}`);
    super(params, o);
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, unknown>, o: Resolved): void {
    const w = flat(p);
    const g0 = flat(grad);
    const n = w.length;
    const make = () => (p.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n));
    const m = (state.expAvg ??= make()) as Float32Array | Float64Array;
    const v = (state.expAvgSq ??= make()) as Float32Array | Float64Array;
    const step = ((state.step as number | undefined) ?? 0) + 1;
    state.step = step;
    const [b1, b2] = o.betas;
    const bc1 = 1 - b1 ** step;
    const bc2Sqrt = Math.sqrt(1 - b2 ** step);
    const stepSize = o.lr / bc1;
    let vmax: Float32Array | Float64Array | null = null;
    if (o.amsgrad) vmax = (state.maxExpAvgSq ??= make()) as Float32Array | Float64Array;
    const sign = o.maximize ? -1 : 1;
    const wd = o.weightDecay;
    const eps = o.eps;
    if (vmax === null && w instanceof Float32Array && g0 instanceof Float32Array) {
      const scalars = { sign, weightDecay: wd, beta1: b1, beta2: b2, eps, stepSize, bc2Sqrt };
      if (wasmAdam(w, g0, m as Float32Array, v as Float32Array, scalars)) return;
    }
    // Each line is one of PyTorch's tensor ops; intermediates are rounded where PyTorch
    // stores a tensor (m, v, w are typed arrays of the parameter's dtype), which keeps the
    // trajectory within float32 rounding of PyTorch's while staying a tight loop.
    for (let i = 0; i < n; i++) {
      const g = sign * g0[i] + (wd !== 0 ? wd * w[i] : 0);
      m[i] += (1 - b1) * (g - m[i]); // exp_avg.lerp_(grad, 1 - beta1)
      v[i] = v[i] * b2 + (1 - b2) * g * g; // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
      let second = v[i];
      if (vmax !== null) second = vmax[i] = Math.max(vmax[i], second);
      const denom = Math.sqrt(second) / bc2Sqrt + eps;
      w[i] -= stepSize * (m[i] / denom); // param.addcdiv_(exp_avg, denom, value=-step_size)
    }
  }
}
