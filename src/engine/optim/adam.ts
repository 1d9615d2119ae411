import type { Tensor } from '../tensor';
import { flat, Optimizer, type Params } from './optimizer';

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
    if (!(o.betas[0] >= 0 && o.betas[0] < 1)) throw new Error(`Invalid beta parameter at index 0: ${o.betas[0]}`);
    if (!(o.betas[1] >= 0 && o.betas[1] < 1)) throw new Error(`Invalid beta parameter at index 1: ${o.betas[1]}`);
    super(params, o);
  }

  protected update(p: Tensor, grad: Tensor, state: Record<string, unknown>, o: Resolved): void {
    const f = p.dtype === 'float32' ? Math.fround : (x: number) => x;
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
    for (let i = 0; i < n; i++) {
      let g = o.maximize ? -g0[i] : g0[i];
      if (o.weightDecay !== 0) g = f(g + f(o.weightDecay * w[i]));
      // exp_avg.lerp_(grad, 1 - beta1); exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
      m[i] = f(m[i] + f((1 - b1) * f(g - m[i])));
      v[i] = f(f(v[i] * b2) + f((1 - b2) * f(g * g)));
      let second = v[i];
      if (vmax !== null) second = vmax[i] = Math.max(vmax[i], v[i]);
      const denom = f(f(f(Math.sqrt(second)) / bc2Sqrt) + o.eps);
      w[i] = f(w[i] - f(stepSize * f(m[i] / denom)));
    }
  }
}
