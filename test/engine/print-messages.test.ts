// Messages that PyTorch's Python code words with torch.Size (autograd's gradient check,
// load_state_dict, binary_cross_entropy), against PyTorch's own text in
// test/fixtures/engine-print.json (`messages`, from scripts/gen_print_fixtures.py).
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { loadFixture } from '../helpers/fixtures';

const fixture = loadFixture<{ messages: { name: string; text: string }[] }>('engine-print.json');

/** The generator's message_cases, with our engine. */
const runs: Record<string, () => unknown> = {
  'backward with a gradient of another shape': () => {
    const x = torch.ones([3, 1], { requiresGrad: true });
    x.mul(2).backward(torch.ones(3));
  },
  'autograd.grad with a grad_output of another shape': () => {
    const x = torch.ones([3, 1], { requiresGrad: true });
    return torch.autograd.grad(x.mul(2), x, { gradOutputs: torch.ones(4) });
  },
  'load_state_dict with a weight of another shape': () => {
    new torch.nn.Linear(3, 2).loadStateDict({ weight: torch.ones(3, 3), bias: torch.ones(2) });
  },
  'binary_cross_entropy with a target of another size': () =>
    torch.nn.functional.binaryCrossEntropy(torch.full([3, 1], 0.5), torch.ones(3)),
};

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  return expect.fail('ran without error');
}

describe('shapes in messages read torch.Size as in PyTorch', () => {
  it.each(fixture.messages.map((c) => [c.name, c.text] as const))('%s', (name, text) => {
    expect(Object.keys(runs)).toContain(name);
    expect(messageOf(runs[name])).toBe(text);
  });
});
