// Multi-output nodes (chunk/split): one node per call, each piece's gradFn that node with its
// own output number; hooks, retainGrad and autograd.grad per piece; pieces without a
// gradient count as zeros.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';

const x = () => torch.arange(12).float().reshape(4, 3).requiresGrad_();

describe('multi-output nodes', () => {
  it('gives every piece the same node and its own output number', () => {
    const [a, b] = x().chunk(2);
    expect(a.gradFn).toBe(b.gradFn);
    expect(a.gradFn!.name()).toBe('SplitBackward0');
    expect(a.gradFn!.numOutputs).toBe(2);
    const m = b.mul(a).gradFn!;
    expect(m.nextFunctions.map(([n, nr]) => [n, nr])).toEqual([
      [a.gradFn, 1],
      [a.gradFn, 0],
    ]);
  });

  it('sums what reaches each piece and fills zeros for a piece nobody used', () => {
    const t = x();
    const [, b] = t.split(1, 0);
    b.mul(2).add(b).sum().backward();
    expect(t.grad!.tolist()).toEqual([
      [0, 0, 0],
      [3, 3, 3],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('runs hooks and retainGrad on the piece they were registered on', () => {
    const t = x();
    const [a, b] = t.chunk(2);
    a.retainGrad();
    const seen: number[][] = [];
    b.registerHook((g) => {
      seen.push(g.reshape(-1).tolist() as number[]);
      return g.mul(10);
    });
    a.mul(2).sum().add(b.sum()).backward();
    expect(a.grad!.tolist()).toEqual([
      [2, 2, 2],
      [2, 2, 2],
    ]);
    expect(b.grad).toBeNull();
    expect(seen).toEqual([[1, 1, 1, 1, 1, 1]]);
    expect(t.grad!.reshape(-1).tolist()).toEqual([2, 2, 2, 2, 2, 2, 10, 10, 10, 10, 10, 10]);
  });

  it('gives autograd.grad the gradient of the piece asked for', () => {
    const [a, b] = x().chunk(2);
    const y = a.mul(3).sum().add(b.mul(b).sum());
    const [ga, gb] = torch.autograd.grad(y, [a, b]);
    expect(ga!.reshape(-1).tolist()).toEqual([3, 3, 3, 3, 3, 3]);
    expect(gb!.reshape(-1).tolist()).toEqual([12, 14, 16, 18, 20, 22]);
  });

  it('starts backward from a piece itself', () => {
    const t = x();
    const [, b] = t.chunk(2);
    b.backward(torch.ones(2, 3));
    expect(t.grad!.sum().item()).toBe(6);
  });
});
