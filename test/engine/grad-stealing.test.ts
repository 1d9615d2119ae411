// AccumulateGrad takes a gradient as the leaf's .grad without copying it only when nothing else
// holds it (as PyTorch steals one whose use count is 1): grads stay correct and independent of
// every tensor the caller, a hook or a custom Function can still reach.
import { afterEach, describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import type { Tensor } from '../../src/engine/index';

/** Matrices large enough for their storage to have a buffer of its own (slab views never move). */
const rand = (rows: number, cols: number, requiresGrad = false): Tensor =>
  torch.randn(rows, cols, { requiresGrad });

/** What each node of the next backward passes returned, by node name. */
function recordSent(): Map<string, (Tensor | null)[]> {
  const sent = new Map<string, (Tensor | null)[]>();
  torch._setBackwardObserver({
    ran: (node, _gradOutputs, gradInputs) => void sent.set(node.name(), [...gradInputs]),
    accumulating: () => undefined,
  });
  return sent;
}

/** The largest elementwise difference between `x` and `y` (a tensor or a number). */
const maxDiff = (x: Tensor, y: Tensor | number): number => x.sub(y).abs().max().item();

afterEach(() => torch._setBackwardObserver(null));

describe('AccumulateGrad without a copy', () => {
  it('takes the products of MmBackward0 as the leaves’ grads', () => {
    torch.manualSeed(0);
    const a = rand(24, 32, true);
    const b = rand(32, 16, true);
    const sent = recordSent();
    a.mm(b).backward(torch.ones(24, 16));
    const [ga, gb] = sent.get('MmBackward0')!;
    expect(a.grad!._data).toBe(ga!._data);
    expect(b.grad!._data).toBe(gb!._data);
    expect(maxDiff(a.grad!, torch.ones(24, 16).mm(b.t()))).toBeLessThan(1e-4);
    expect(maxDiff(b.grad!, a.t().mm(torch.ones(24, 16)))).toBeLessThan(1e-4);
  });

  it('takes a weight’s gradient passed on through TBackward0 (nn.Linear)', () => {
    torch.manualSeed(0);
    const fc = new torch.nn.Linear(32, 40);
    const x = rand(8, 32);
    const sent = recordSent();
    fc.forward(x).sum().backward();
    expect(fc.weight.grad!._data).toBe(sent.get('TBackward0')![0]!._data);
    expect(fc.weight.grad!._strides).toEqual([32, 1]);
    expect(maxDiff(fc.weight.grad!, torch.ones(8, 40).t().mm(x))).toBeLessThan(1e-4);
  });
});

describe('AccumulateGrad copies what others can reach', () => {
  it('the caller’s gradient, passed on to two leaves by AddBackward0', () => {
    const a = rand(24, 32, true);
    const b = rand(24, 32, true);
    const g = torch.ones(24, 32);
    a.add(b).backward(g);
    a.grad!.add_(1);
    expect(maxDiff(b.grad!, 1)).toBe(0);
    expect(maxDiff(g, 1)).toBe(0);
  });

  it('one storage sent to two leaves', () => {
    const a = rand(24, 32, true);
    const b = rand(24, 32, true);
    a.mul(2).add(b.mul(3)).sum().backward();
    // SumBackward0 expands one gradient; each MulBackward0 makes its own: all distinct.
    a.grad!.zero_();
    expect(maxDiff(b.grad!, 3)).toBe(0);
    const c = rand(24, 32, true);
    const d = rand(24, 32, true);
    // AddBackward0 hands one fresh product to both leaves: only one of them may take it.
    c.add(d).mul(torch.ones(24, 32).mul(2)).sum().backward();
    c.grad!.zero_();
    expect(maxDiff(d.grad!, 2)).toBe(0);
  });

  it('a gradient a leaf’s hook kept', () => {
    const a = rand(24, 32, true);
    const b = rand(32, 16);
    let kept: Tensor | null = null;
    a.registerHook((g) => {
      kept = g;
    });
    a.mm(b).backward(torch.ones(24, 16));
    a.grad!.zero_();
    expect(maxDiff(kept!, 0)).toBeGreaterThan(0);
  });

  it('a gradient a hook on a view kept on the way to a leaf', () => {
    const w = rand(40, 32, true);
    const wt = w.t();
    let kept: Tensor | null = null;
    wt.registerHook((g) => {
      kept = g;
    });
    rand(8, 32).mm(wt).sum().backward();
    w.grad!.zero_();
    expect(maxDiff(kept!, 0)).toBeGreaterThan(0);
  });

  it('a gradient a custom Function returned and kept', () => {
    let kept: Tensor | null = null;
    class Keep extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, x: Tensor): Tensor {
        return x.mul(1);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: Tensor): Tensor[] {
        kept = g.mul(2);
        return [kept];
      }
    }
    const a = rand(24, 32, true);
    Keep.apply(a).sum().backward();
    a.grad!.zero_();
    expect(maxDiff(kept!, 2)).toBe(0);
  });

  it('a gradient a node’s post-hook saw', () => {
    const a = rand(24, 32, true);
    const b = rand(32, 16);
    const y = a.mm(b);
    let seen: Tensor | null = null;
    y.gradFn!.registerHook((gradInputs) => {
      seen = gradInputs[0];
    });
    y.backward(torch.ones(24, 16));
    a.grad!.zero_();
    expect(maxDiff(seen!, 0)).toBeGreaterThan(0);
  });

  it('adds into a grad that is already there, in place', () => {
    const a = rand(24, 32, true);
    const b = rand(32, 16);
    a.mm(b).backward(torch.ones(24, 16));
    const first = a.grad!;
    const once = first.clone();
    a.mm(b).backward(torch.ones(24, 16));
    expect(a.grad).toBe(first);
    expect(maxDiff(a.grad!, once.mul(2))).toBeLessThan(1e-4);
  });
});
