// `console.log(optimizer)` / `String(optimizer)` print PyTorch's `print(optimizer)`
// (test/fixtures/engine-idioms.json, `optimizers`).
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { loadFixture } from '../helpers/fixtures';

const fixture = loadFixture<{ optimizers: { name: string; text: string }[] }>('engine-idioms.json');

const p = () => torch.ones(2, { requiresGrad: true });
const optimizers: Record<string, () => torch.optim.Optimizer<{ lr: number }>> = {
  'Adam(lr=0.01)': () => new torch.optim.Adam([p()], { lr: 0.01 }),
  'Adam(defaults)': () => new torch.optim.Adam([p()]),
  'Adam(lr=0.001, betas=(0.8, 0.99), weight_decay=1e-05, amsgrad=True)': () =>
    new torch.optim.Adam([p()], {
      lr: 0.001,
      betas: [0.8, 0.99],
      weightDecay: 1e-5,
      amsgrad: true,
    }),
  'SGD(lr=0.1, momentum=0.9)': () => new torch.optim.SGD([p()], { lr: 0.1, momentum: 0.9 }),
  'SGD(lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.0001)': () =>
    new torch.optim.SGD([p()], { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 0.0001 }),
  'SGD two groups (lr=0.1; lr=0.5)': () =>
    new torch.optim.SGD([{ params: [p()] }, { params: [p()], lr: 0.5 }], { lr: 0.1 }),
};

describe('optimizers print as PyTorch prints them', () => {
  it.each(fixture.optimizers.map((c) => [c.name, c.text] as const))('%s', (name, text) => {
    expect(Object.keys(optimizers)).toContain(name);
    const opt = optimizers[name]();
    expect(String(opt)).toBe(text);
    expect(inspect(opt)).toBe(text);
  });
});
