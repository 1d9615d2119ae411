// Modules print as PyTorch's str(module) (test/fixtures/engine-print.json, `modules`, from
// scripts/gen_print_fixtures.py), under String and console.log alike.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { loadFixture } from '../helpers/fixtures';

const fixture = loadFixture<{ modules: { name: string; text: string }[] }>('engine-print.json');

class Net extends torch.nn.Module {
  fc1 = new torch.nn.Linear(2, 8);
  act = new torch.nn.Tanh();
  head = new torch.nn.Sequential(new torch.nn.Linear(8, 1, false), new torch.nn.Sigmoid());

  forward(x: torch.Tensor): torch.Tensor {
    return this.head.forward(this.act.forward(this.fc1.forward(x)));
  }
}

/** The generator's module_cases, with our engine. */
const modules: Record<string, () => torch.nn.Module> = {
  'Sequential(Linear(3, 2), ReLU())': () =>
    new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.ReLU()),
  Net: () => new Net(),
  'activation layers': () =>
    new torch.nn.Sequential(
      new torch.nn.GELU(),
      new torch.nn.GELU('tanh'),
      new torch.nn.SiLU(),
      new torch.nn.LeakyReLU(),
      new torch.nn.LeakyReLU(0.2),
      new torch.nn.Softplus(),
      new torch.nn.Softplus(2, 5),
      new torch.nn.ELU(),
      new torch.nn.ELU(0.5),
    ),
};

describe('modules print as PyTorch prints them', () => {
  it.each(fixture.modules.map((c) => [c.name, c.text] as const))('%s', (name, text) => {
    expect(Object.keys(modules)).toContain(name);
    const m = modules[name]();
    expect(String(m)).toBe(text);
    expect(inspect(m)).toBe(text);
  });
});
