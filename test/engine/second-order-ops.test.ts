// Second derivatives of the smooth elementwise ops, whose fixtures check first derivatives
// only: the gradient of the gradient (createGraph) against central differences of the
// gradient, in float64, away from kinks.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';

const F = torch.nn.functional;
const points = [-2.5, -1.2, -0.3, 0.4, 1.1, 2.7];

function firstDerivative(f: (x: torch.Tensor) => torch.Tensor, xs: number[]): number[] {
  const x = torch.tensor(xs, { dtype: 'float64', requiresGrad: true });
  return torch.autograd.grad(f(x).sum(), x)[0]!.tolist() as number[];
}

function secondDerivative(f: (x: torch.Tensor) => torch.Tensor, xs: number[]): number[] {
  const x = torch.tensor(xs, { dtype: 'float64', requiresGrad: true });
  const [g] = torch.autograd.grad(f(x).sum(), x, { createGraph: true });
  return torch.autograd.grad(g!.sum(), x)[0]!.tolist() as number[];
}

const ops: [string, (x: torch.Tensor) => torch.Tensor][] = [
  ['log1p', (x) => x.abs().log1p()],
  ['erf', (x) => x.erf()],
  ['gelu', (x) => F.gelu(x)],
  ['silu', (x) => F.silu(x)],
  ['leakyRelu', (x) => F.leakyRelu(x, 0.2).mul(x)],
  ['softplus', (x) => F.softplus(x, 2, 3)],
  ['elu', (x) => F.elu(x, 0.7)],
  [
    'batchNorm',
    (x) => F.batchNorm(x.reshape(3, 2), null, null, null, null, true).mul(x.reshape(3, 2).sin()),
  ],
  [
    'conv2d',
    (x) =>
      F.conv2d(x.reshape(1, 1, 2, 3), x.reshape(1, 1, 2, 3).flip(3).narrow(3, 0, 2), null, {
        padding: 1,
      }).pow(2),
  ],
  [
    'conv1d',
    (x) => F.conv1d(x.reshape(1, 2, 3), x.reshape(2, 1, 3).narrow(2, 1, 2).reshape(1, 2, 2)).tanh(),
  ],
  ['norm', (x) => x.reshape(2, 3).norm(2, 1)],
  ['prod', (x) => x.reshape(2, 3).prod(1)],
  [
    'prod() with a zero',
    (x) => x.mul(torch.tensor([1, 0, 1, 1, 1, 1], { dtype: 'float64' })).prod(),
  ],
  [
    'prod(1) with a zero',
    (x) =>
      x
        .mul(torch.tensor([1, 1, 1, 0, 1, 1], { dtype: 'float64' }))
        .reshape(2, 3)
        .prod(1),
  ],
];

describe('second derivatives', () => {
  it.each(ops)('%s', (_name, f) => {
    const eps = 1e-6;
    const plus = firstDerivative(
      f,
      points.map((p) => p + eps),
    );
    const minus = firstDerivative(
      f,
      points.map((p) => p - eps),
    );
    const numeric = plus.map((p, i) => (p - minus[i]) / (2 * eps));
    const analytic = secondDerivative(f, points);
    analytic.forEach((a, i) => {
      expect(a).toBeCloseTo(numeric[i], 5);
    });
  });
});
