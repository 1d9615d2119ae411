// Autograd behaviours PyTorch users rely on: graph identity, retainGrad, hooks, gradient
// accumulation, custom Functions, anomaly mode, gradcheck, grad modes, error texts.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';

const ACC = 'torch::autograd::AccumulateGrad';

describe('graph structure', () => {
  it('nn.Linear on 2-D input is AddmmBackward0 -> [AccumulateGrad(bias), null, TBackward0]', () => {
    torch.manualSeed(0);
    const fc = new torch.nn.Linear(3, 2);
    const y = fc.forward(torch.randn(4, 3));
    const node = y.gradFn!;
    expect(node.name()).toBe('AddmmBackward0');
    const [bias, input, weightT] = node.nextFunctions;
    expect(bias[0]!.name()).toBe(ACC);
    expect((bias[0] as torch.autograd.AccumulateGrad).variable).toBe(fc.bias);
    expect(input).toEqual([null, 0]);
    expect(weightT[0]!.name()).toBe('TBackward0');
    const [[acc]] = weightT[0]!.nextFunctions;
    expect((acc as torch.autograd.AccumulateGrad).variable).toBe(fc.weight);
    expect(String(y)).toContain('grad_fn=<AddmmBackward0>');
  });

  it('the same leaf is always reached through the same AccumulateGrad object', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const a = x.mul(2).gradFn!.nextFunctions[0][0];
    const b = x.add(1).gradFn!.nextFunctions[0][0];
    const sq = x.mul(x).gradFn!.nextFunctions;
    expect(a).toBe(b);
    expect(sq[0][0]).toBe(a);
    expect(sq[1][0]).toBe(a);
    expect((a as torch.autograd.AccumulateGrad).variable).toBe(x);
  });

  it('inputs without grad give null edges; comparisons have no history', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const k = torch.tensor([3, 4]);
    expect(k.mul(x).gradFn!.nextFunctions[0]).toEqual([null, 0]);
    expect(x.gt(1).gradFn).toBeNull();
    expect(x.gt(1).requiresGrad).toBe(false);
  });
});

describe('retainGrad, hooks and accumulation', () => {
  it('retainGrad fills .grad of a non-leaf; others stay null', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    const z = y.pow(2);
    y.retainGrad();
    expect(y.retainsGrad).toBe(true);
    z.sum().backward();
    expect(y.grad!.tolist()).toEqual([4, 8, 12]);
    expect(z.grad).toBeNull();
    expect(x.grad!.tolist()).toEqual([8, 16, 24]);
  });

  it('a hook on a non-leaf sees and can replace the gradient flowing through it', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const seen: number[][] = [];
    y.registerHook((g) => {
      seen.push(g.tolist() as number[]);
      return g.mul(10);
    });
    y.sum().backward();
    expect(seen).toEqual([[1, 1]]);
    expect(x.grad!.tolist()).toEqual([30, 30]);
  });

  it('a leaf hook replaces the gradient before it is accumulated; remove() detaches it', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const h = x.registerHook((g) => g.mul(2));
    x.mul(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([4, 8]);
    h.remove();
    x.grad = null;
    x.mul(x).sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 4]);
  });

  it('gradients accumulate across backward calls until cleared', () => {
    const w = torch.tensor([1, -1], { requiresGrad: true });
    w.mul(3).sum().backward();
    w.mul(3).sum().backward();
    expect(w.grad!.tolist()).toEqual([6, 6]);
    w.grad = null;
    w.mul(w).sum().backward();
    expect(w.grad!.tolist()).toEqual([2, -2]);
  });

  it('retainGraph allows a second backward through the same graph', () => {
    const x = torch.tensor([2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(null, { retainGraph: true });
    y.backward();
    expect(x.grad!.item()).toBeCloseTo(2 * Math.exp(2), 4);
    expect(() => y.backward()).toThrow('Trying to backward through the graph a second time');
  });
});

describe('custom autograd.Function', () => {
  class MyFn extends torch.autograd.Function {
    static override forward(
      ctx: torch.autograd.FunctionCtx,
      x: torch.Tensor,
      k: number,
    ): torch.Tensor {
      ctx.saveForBackward(x);
      ctx.k = k;
      return x.pow(3).mul(k);
    }

    static override backward(
      ctx: torch.autograd.FunctionCtx,
      g: torch.Tensor,
    ): (torch.Tensor | null)[] {
      const [x] = ctx.savedTensors;
      return [g.mul(x.pow(2)).mul(3 * (ctx.k as number)), null];
    }
  }

  it('records one node named MyFnBackward with the gradient from backward', () => {
    const x = torch.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const y = MyFn.apply(x, 2);
    expect(y.gradFn!.name()).toBe('MyFnBackward');
    expect(y.gradFn!.nextFunctions[0][0]!.name()).toBe(ACC);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([6, 24]);
  });

  it('gradcheck passes on a correct backward and throws on a wrong one', () => {
    const x = torch.tensor([0.3, -0.7, 1.1], { dtype: 'float64', requiresGrad: true });
    expect(torch.autograd.gradcheck((a) => MyFn.apply(a, 2), [x])).toBe(true);
    expect(torch.autograd.gradcheck((a) => a.sin().mul(a).div(a.mul(a).add(1)), [x])).toBe(true);
    class Wrong extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, a: torch.Tensor): torch.Tensor {
        return a.mul(a);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: torch.Tensor): torch.Tensor {
        return g.mul(3);
      }
    }
    expect(() => torch.autograd.gradcheck((a) => Wrong.apply(a), [x])).toThrow(/Jacobian mismatch/);
  });
});

describe('anomaly detection', () => {
  it("names the node that returned NaN: Function 'SqrtBackward0' returned nan values in its 0th output.", () => {
    const x = torch.tensor([-1, 4], { requiresGrad: true });
    expect(() => torch.autograd.detectAnomaly(() => x.sqrt().sum().backward())).toThrow(
      "Function 'SqrtBackward0' returned nan values in its 0th output.",
    );
    // Off by default: the NaN simply arrives in .grad.
    const z = torch.tensor([-1, 4], { requiresGrad: true });
    z.sqrt().sum().backward();
    expect(Number.isNaN((z.grad!.tolist() as number[])[0])).toBe(true);
    expect(torch.autograd.isAnomalyEnabled()).toBe(false);
  });

  it('catches NaN born where gradients are summed at a leaf (inf + -inf), which PyTorch misses', () => {
    // PyTorch 1.13 and 2.x: every node output is finite (inf, -inf), so detect_anomaly is
    // silent and x.grad ends up NaN.
    const x = torch.tensor([1], { requiresGrad: true });
    const inf = torch.tensor([Infinity]);
    const run = () => x.mul(inf).add(x.mul(inf.neg())).sum().backward();
    expect(() => torch.autograd.detectAnomaly(run)).toThrow(/nan/);
  });

  it('catches NaN born when a second backward accumulates into .grad', () => {
    const x = torch.tensor([1], { requiresGrad: true });
    const inf = torch.tensor([Infinity]);
    torch.autograd.setDetectAnomaly(true);
    try {
      x.mul(inf).sum().backward();
      expect(() => x.mul(inf.neg()).sum().backward()).toThrow(/nan/);
    } finally {
      torch.autograd.setDetectAnomaly(false);
    }
  });
});

describe('grad modes', () => {
  it('noGrad, enableGrad, setGradEnabled, isGradEnabled', () => {
    const x = torch.ones(2, { requiresGrad: true });
    expect(torch.isGradEnabled()).toBe(true);
    const y = torch.noGrad(() => {
      expect(torch.isGradEnabled()).toBe(false);
      return x.mul(2);
    });
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = torch.noGrad(() => torch.enableGrad(() => x.mul(2)));
    expect(z.gradFn!.name()).toBe('MulBackward0');
    torch.setGradEnabled(false);
    try {
      expect(x.add(1).requiresGrad).toBe(false);
      expect(torch.isGradEnabled()).toBe(false);
    } finally {
      torch.setGradEnabled(true);
    }
    expect(x.add(1).requiresGrad).toBe(true);
  });

  it('noGrad restores the mode when fn throws, and allows in-place updates of leaves', () => {
    const w = torch.ones(2, { requiresGrad: true });
    expect(() =>
      torch.noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(torch.isGradEnabled()).toBe(true);
    torch.noGrad(() => w.sub_(0.5));
    expect(w.tolist()).toEqual([0.5, 0.5]);
    expect(w.isLeaf).toBe(true);
  });
});

describe('error texts', () => {
  it('version counter: shape, node and versions as PyTorch prints them', () => {
    const x = torch.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.exp();
    y.add_(1);
    expect(y._version).toBe(1);
    expect(() => y.sum().backward()).toThrow(
      'one of the variables needed for gradient computation has been modified by an inplace operation: ' +
        '[torch.FloatTensor [3]], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead.',
    );
  });

  it('in-place on a leaf that requires grad throws and leaves the leaf unchanged', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul_(2)).toThrow(
      'a leaf Variable that requires grad is being used in an in-place operation.',
    );
    expect(x.tolist()).toEqual([1, 2]);
    expect(x._version).toBe(0);
  });

  it('requiresGrad is settable on leaves only', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    expect(() => {
      x.mul(2).requiresGrad = false;
    }).toThrow('you can only change requires_grad flags of leaf variables.');
  });
});

describe('long graphs', () => {
  it('backward through a 200,000-op chain (iterative, no stack overflow)', () => {
    const x = torch.tensor([1], { dtype: 'float64', requiresGrad: true });
    let y = x;
    for (let i = 0; i < 200_000; i++) y = i % 2 === 0 ? y.mul(1.000001) : y.add(0.5);
    y.sum().backward();
    expect(x.grad!.item()).toBeCloseTo(1.000001 ** 100_000, 8);
  });
});

describe('a backward that throws leaves the graph usable', () => {
  it('autograd.grad with an input that needs no grad throws, and backward still runs after it', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    expect(() => torch.autograd.grad(y, torch.ones(2), { retainGraph: true })).toThrow(
      'does not require grad',
    );
    y.backward();
    expect(x.grad!.tolist()).toEqual([2, 4]);
  });
});

describe('a backward started from a hook inside another', () => {
  it('runs through a graph of its own; both passes give their gradients', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const w = torch.tensor([3, 4], { requiresGrad: true });
    const y = x.mul(x);
    // Backward runs its hooks without grad mode: the hook's graph is built before.
    const inner = w.mul(w).sum();
    y.registerHook((g) => {
      inner.backward();
      return g;
    });
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 4]);
    expect(w.grad!.tolist()).toEqual([6, 8]);
  });

  it("through the outer pass's graph throws, and that graph runs backward again after it", () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x);
    const loss = y.sum();
    const again = y.sum();
    const handle = y.registerHook((g) => {
      again.backward(null, { retainGraph: true });
      return g;
    });
    expect(() => loss.backward(null, { retainGraph: true })).toThrow(
      'backward() was called from inside another backward() through the same graph (at MulBackward0)',
    );
    handle.remove();
    loss.backward();
    expect(x.grad!.tolist()).toEqual([2, 4]);
  });
});
