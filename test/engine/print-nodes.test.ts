// Graph nodes print as PyTorch prints them (test/fixtures/engine-print.json, `nodes`, from
// scripts/gen_print_fixtures.py, addresses written 0x…), and nextFunctions stays an array.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { loadFixture } from '../helpers/fixtures';

const fixture = loadFixture<{ nodes: { name: string; text: string }[] }>('engine-print.json');

class Double extends torch.autograd.Function {
  static override forward(_ctx: torch.autograd.FunctionCtx, t: torch.Tensor): torch.Tensor {
    return t.mul(2);
  }

  static override backward(_ctx: torch.autograd.FunctionCtx, g: torch.Tensor): torch.Tensor {
    return g.mul(2);
  }
}

/** The fixture's expressions, built with our engine (the generator's node_cases). */
function shown(): Record<string, unknown> {
  const a = torch.tensor([2.0], { requiresGrad: true });
  const b = torch.tensor([8.0], { requiresGrad: true });
  const q = a.pow(3).sub(b.mul(3));
  const p = q.pow(2);
  const x = torch.ones(2, { requiresGrad: true });
  const y = x.mul(2).sum();
  const d = Double.apply(x);
  const qf = q.gradFn!;
  const acc = y.gradFn!.nextFunctions[0][0]!.nextFunctions[0][0]!;
  return {
    'Q.grad_fn': qf,
    'Q.grad_fn.next_functions': qf.nextFunctions,
    'Q.grad_fn.next_functions[0]': qf.nextFunctions[0],
    'Q.grad_fn.next_functions[1][0].next_functions': qf.nextFunctions[1][0]!.nextFunctions,
    'P.grad_fn.next_functions[0][0].next_functions[0][0].next_functions':
      p.gradFn!.nextFunctions[0][0]!.nextFunctions[0][0]!.nextFunctions,
    'y.grad_fn.next_functions[0][0].next_functions': y.gradFn!.nextFunctions[0][0]!.nextFunctions,
    AccumulateGrad: acc,
    'AccumulateGrad.next_functions': acc.nextFunctions,
    'Double.grad_fn': d.gradFn,
    'Double tensor': d,
  };
}

const withoutAddresses = (text: string) => text.replace(/0x[0-9a-f]+/g, '0x…');

describe('nodes print as PyTorch prints them', () => {
  const ours = shown();
  it.each(fixture.nodes.map((c) => [c.name, c.text] as const))('%s', (name, text) => {
    expect(Object.keys(ours)).toContain(name);
    expect(withoutAddresses(inspect(ours[name]))).toBe(text);
    expect(withoutAddresses(String(ours[name]))).toBe(text);
  });
});

describe('node text', () => {
  const x = torch.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(x.exp());
  const node = y.gradFn!;

  it('gives each node one address for its life, and different nodes different ones', () => {
    const mulAddress = /0x[0-9a-f]{12}/.exec(String(node))![0];
    expect(String(node)).toBe(`<MulBackward0 object at ${mulAddress}>`);
    expect(String(node.nextFunctions[1][0])).toMatch(/^<ExpBackward0 object at 0x[0-9a-f]{12}>$/);
    expect(String(node.nextFunctions[1][0])).not.toContain(mulAddress);
  });

  it('keeps nextFunctions an array of [node, inputNr] pairs', () => {
    const edges = node.nextFunctions;
    expect(Array.isArray(edges)).toBe(true);
    const [[acc, inputNr], [exp]] = edges;
    expect(acc).toBeInstanceOf(torch.autograd.AccumulateGrad);
    expect(inputNr).toBe(0);
    expect(exp!.name()).toBe('ExpBackward0');
    expect(edges.map(([n]) => n!.name())).toEqual([
      'torch::autograd::AccumulateGrad',
      'ExpBackward0',
    ]);
    // What map and friends make is plain data again, printing as JavaScript prints it.
    expect(inspect(edges.map(([, i]) => i))).toBe('[ 0, 0 ]');
    expect(JSON.stringify(edges.map(([n, i]) => [n!.name(), i]))).toBe(
      '[["torch::autograd::AccumulateGrad",0],["ExpBackward0",0]]',
    );
  });

  it('shows the details on request: inspect() or more depth than console.log', () => {
    const details = node.inspect();
    expect(details.split('\n')[0]).toBe(`${String(node)} {`);
    expect(details).toContain("name: 'MulBackward0'");
    expect(details).toContain(`nextFunctions: ${String(node.nextFunctions)}`);
    expect(details).toContain('savedTensors: [tensor([1., 2.], requires_grad=True), tensor([');
    expect(inspect(node)).toBe(String(node));
    expect(inspect({ node })).toBe(`{ node: ${String(node)} }`);
    expect(inspect(node, { depth: 3 })).toBe(details);
    expect(inspect(node, { depth: null })).toBe(details);
    const acc = node.nextFunctions[0][0]!;
    expect(acc.inspect()).toContain('variable: tensor([1., 2.], requires_grad=True)');
  });
});
