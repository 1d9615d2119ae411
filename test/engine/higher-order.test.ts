// autograd.grad with createGraph: first, second and third derivatives against PyTorch,
// and a Hessian-vector product of a two-input function (float64).
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { decode, expectTensorClose, loadFixture, type Encoded } from '../helpers/fixtures';

interface Derivatives {
  name: string;
  x: Encoded;
  value: Encoded;
  derivatives: Encoded[];
}
interface Hvp {
  name: string;
  a: Encoded;
  b: Encoded;
  v: Encoded;
  grads: Encoded[];
  hv: Encoded[];
  gradNames: string[];
}

const data = loadFixture<(Derivatives | Hvp)[]>('engine-higher-order.json');
const derivCases = data.filter((d): d is Derivatives => 'derivatives' in d);
const hvp = data.find((d): d is Hvp => 'hv' in d)!;

const fns: Record<string, (x: torch.Tensor) => torch.Tensor> = {
  'x^3 * sin(x)': (x) => x.pow(3).mul(x.sin()),
  'exp(tanh(x)) / (1 + x^2)': (x) => x.tanh().exp().div(x.mul(x).add(1)),
  'sigmoid(x) * log(x^2 + 1)': (x) => x.sigmoid().mul(x.mul(x).add(1).log()),
  'sqrt(x^2 + 1) * cos(x)': (x) => x.mul(x).add(1).sqrt().mul(x.cos()),
  'softmax(x)[0] summed with x * x': (x) => x.softmax(0).select(0, 0).add(x.mul(x).sum()),
};

describe('higher-order derivatives match PyTorch', () => {
  it.each(derivCases.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const x = decode(c.x).requiresGrad_();
    const y = fns[name](x).sum();
    expectTensorClose(y, c.value, 'value');
    let cur = y;
    c.derivatives.forEach((want, k) => {
      const [d] = torch.autograd.grad(cur, x, { createGraph: true });
      expectTensorClose(d, want, `derivative ${k + 1}`, { rtol: 1e-9, atol: 1e-11 });
      expect(d!.gradFn, `derivative ${k + 1} has history`).not.toBeNull();
      cur = d!.sum();
    });
  });

  it('Hessian-vector product', () => {
    const a = decode(hvp.a).requiresGrad_();
    const b = decode(hvp.b).requiresGrad_();
    const v = decode(hvp.v);
    const y = a.mul(b).sin().sum().add(a.pow(2).mul(b).sum());
    const [ga, gb] = torch.autograd.grad(y, [a, b], { createGraph: true });
    expectTensorClose(ga, hvp.grads[0], 'dy/da');
    expectTensorClose(gb, hvp.grads[1], 'dy/db');
    expect([ga!.gradFn!.name(), gb!.gradFn!.name()]).toEqual(hvp.gradNames);
    const hv = torch.autograd.grad(ga!.mul(v).sum(), [a, b]);
    expectTensorClose(hv[0], hvp.hv[0], 'H v (a)');
    expectTensorClose(hv[1], hvp.hv[1], 'H v (b)');
    expect(hv[0]!.requiresGrad).toBe(false);
  });
});
