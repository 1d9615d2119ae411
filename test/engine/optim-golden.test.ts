// Optimizer trajectories against PyTorch, step for step: a tanh(linear) regression with
// MSE, trained 8 steps by SGD (plain, momentum + weight decay, nesterov) and Adam (with and
// without weight decay, custom betas/eps), in float32 and float64.
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { _setKernelBackend, type KernelBackend } from '../../src/engine/wasm/module';
import { decode, expectTensorClose, loadFixture, type Encoded } from '../helpers/fixtures';

interface OptimCase {
  name: string;
  optimizer: 'SGD' | 'Adam';
  options: Record<string, unknown>;
  dtype: torch.DType;
  init: { x: Encoded; y: Encoded; w: Encoded; b: Encoded };
  steps: { loss: number; w: Encoded; b: Encoded }[];
}

const cases = loadFixture<OptimCase[]>('engine-optim.json');

// Float32 Adam on parameters of 256 floats or more runs on WebAssembly SIMD by default; the
// 'ts' rows hold the portable loop to the same trajectories.
const runs = cases.flatMap((c) =>
  (['auto', 'ts'] as KernelBackend[]).map((k) => [`${c.name}, kernels ${k}`, c, k] as const),
);

describe('optimizer trajectories', () => {
  afterEach(() => {
    _setKernelBackend('auto');
  });

  it.each(runs)('%s', (_name, c, kernels) => {
    _setKernelBackend(kernels);
    const x = decode(c.init.x);
    const y = decode(c.init.y);
    const w = decode(c.init.w).requiresGrad_();
    const b = decode(c.init.b).requiresGrad_();
    const opt =
      c.optimizer === 'SGD'
        ? new torch.optim.SGD([w, b], c.options as unknown as torch.optim.SGDOptions)
        : new torch.optim.Adam([w, b], c.options);
    // Errors compound over steps: float32 gets a little more room than a single op.
    const tol = c.dtype === 'float64' ? { rtol: 1e-9, atol: 1e-11 } : { rtol: 2e-5, atol: 2e-6 };
    c.steps.forEach((s, k) => {
      opt.zeroGrad();
      const loss = torch.nn.functional.mseLoss(torch.nn.functional.linear(x, w, b).tanh(), y);
      loss.backward();
      opt.step();
      expect(
        Math.abs(loss.item() - s.loss),
        `step ${k + 1} loss ${loss.item()} vs ${s.loss}`,
      ).toBeLessThanOrEqual(tol.atol + tol.rtol * Math.abs(s.loss));
      expectTensorClose(w, s.w, `step ${k + 1}: weight`, tol);
      expectTensorClose(b, s.b, `step ${k + 1}: bias`, tol);
    });
  });
});
