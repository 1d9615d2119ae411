// What a graph node keeps between forward and backward: only the saved tensors a needed
// gradient uses (as PyTorch's generated code does), its input metadata (shared between
// nodes of the same op and shape, yet reported per node), and hooks and metadata made on
// first use. Expected values were checked against PyTorch 1.13 (`_saved_self` is None for
// `x * 2.0`, and `z.add_(1)` after `w = z * 2.0` leaves `w.backward()` working).
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';

const MODIFIED =
  'one of the variables needed for gradient computation has been modified by an inplace operation';

describe('saved tensors: only what a needed gradient uses', () => {
  it('x * c keeps c, not x: x may change in place before backward', () => {
    const x = torch.tensor(1.5, { requiresGrad: true });
    const c = torch.tensor(2);
    const z = x.mul(1);
    const w = z.mul(c);
    expect(w.gradFn!.savedTensors()).toEqual([c]);
    z.add_(1);
    w.backward();
    expect(x.grad!.item()).toBe(2);
  });

  it('c * x keeps c only; a number operand is kept as its wrapped tensor', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const c = torch.tensor([3, 4]);
    const saved = c.mul(x).gradFn!.savedTensors();
    expect(saved).toHaveLength(1);
    expect(saved[0]).toBe(c);
    const [k] = x.mul(0.5).gradFn!.savedTensors();
    expect(k.item()).toBe(0.5);
    expect(k.requiresGrad).toBe(false);
  });

  it('when both sides need a gradient both are kept, and changing either in place is caught', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    for (const modify of [0, 1]) {
      const a = x.mul(1);
      const b = x.mul(2);
      const y = a.mul(b);
      expect(y.gradFn!.savedTensors()).toEqual([a, b]);
      (modify === 0 ? a : b).add_(1);
      expect(() => y.sum().backward()).toThrow(MODIFIED);
    }
  });

  it('a / c keeps c only; c / a keeps both (d/da of c/a uses c and a)', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const c = torch.tensor([4, 8]);
    const a = x.mul(1);
    const q = a.div(c);
    expect(q.gradFn!.savedTensors()).toEqual([c]);
    a.mul_(3);
    q.sum().backward();
    expect(x.grad!.tolist()).toEqual([0.25, 0.125]);

    const a2 = x.mul(1);
    const r = c.div(a2);
    expect(r.gradFn!.savedTensors()).toEqual([c, a2]);
    a2.mul_(3);
    expect(() => r.sum().backward()).toThrow(MODIFIED);
  });

  it('a second backward through a node whose only saved tensor is a number still fails', () => {
    const x = torch.tensor(1, { requiresGrad: true });
    const y = x.mul(2);
    y.backward();
    expect(() => y.backward()).toThrow('Trying to backward through the graph a second time');
    const z = x.add(2);
    z.backward();
    z.backward();
    expect(x.grad!.item()).toBe(4);
  });

  // Checked against PyTorch 1.13: with x needing no gradient, `w.add_(1)` after `x.mm(w)` (or
  // F.linear(x, w, b)) leaves backward working; changing x, or w when x needs a gradient, fails.
  it("mm and addmm keep an operand only for the other operand's gradient", () => {
    const x = torch.randn(2, 3);
    const w = torch.randn(3, 4, { requiresGrad: true });
    const y = x.mm(w);
    expect(y.gradFn!.savedTensors()).toEqual([x]);
    torch.noGrad(() => w.add_(1));
    y.sum().backward();
    expect(w.grad!.sum().item()).toBeCloseTo(4 * x.sum().item(), 4);
    torch.noGrad(() => x.add_(1));
    expect(() => x.mm(w).sum().backward()).not.toThrow();
    const y2 = x.mm(w);
    torch.noGrad(() => x.add_(1));
    expect(() => y2.sum().backward()).toThrow(MODIFIED);

    const xg = torch.randn(2, 3, { requiresGrad: true });
    const y3 = xg.mm(w);
    torch.noGrad(() => w.add_(1));
    expect(() => y3.sum().backward()).toThrow(MODIFIED);

    const lin = new torch.nn.Linear(3, 4);
    const out = lin.forward(torch.randn(5, 3));
    expect(out.gradFn!.name()).toBe('AddmmBackward0');
    torch.noGrad(() => lin.weight.mul_(2));
    out.sum().backward();
    expect(lin.weight.grad!.shape).toEqual([4, 3]);
    // The weight's gradient comes out contiguous (mm_mat2_backward on a column-major weight.t()).
    expect(lin.weight.grad!.isContiguous()).toBe(true);
  });
});

describe('input metadata shared between nodes of one op', () => {
  it('nodes of the same op keep their own shapes, dtypes and edges', () => {
    const a = torch.tensor([1, 2, 3], { requiresGrad: true });
    const b = torch.tensor([[1], [2]], { requiresGrad: true });
    const d = torch.tensor([1, 2, 3], { requiresGrad: true, dtype: 'float64' });
    const k = torch.tensor([5, 6, 7]);
    const outs = [a.mul(k), b.mul(2), d.mul(k), a.mul(a), a.mul(b), k.mul(a)];
    expect(
      outs.map((t) => t.gradFn!.nextFunctions.map(([n]) => (n === null ? null : n.name()))),
    ).toEqual([
      ['torch::autograd::AccumulateGrad', null],
      ['torch::autograd::AccumulateGrad', null],
      ['torch::autograd::AccumulateGrad', null],
      ['torch::autograd::AccumulateGrad', 'torch::autograd::AccumulateGrad'],
      ['torch::autograd::AccumulateGrad', 'torch::autograd::AccumulateGrad'],
      [null, 'torch::autograd::AccumulateGrad'],
    ]);
    outs.reduce((s, t) => s.add(t.sum()), torch.tensor(0)).backward();
    // d/da: k + 2a + sum over b's rows + k; d/db: 2 + sum of a per row; d/dd: k.
    expect(a.grad!.tolist()).toEqual([5 + 2 + 3 + 5, 6 + 4 + 3 + 6, 7 + 6 + 3 + 7]);
    expect(a.grad!.shape).toEqual([3]);
    expect(b.grad!.tolist()).toEqual([[2 + 6], [2 + 6]]);
    expect(d.grad!.dtype).toBe('float64');
    expect(d.grad!.tolist()).toEqual([5, 6, 7]);
  });

  it('more distinct shapes than an op remembers still give each node its own', () => {
    const leaves = Array.from({ length: 20 }, (_, i) => torch.ones(i + 1, { requiresGrad: true }));
    const ys = leaves.map((l, i) => l.mul(i));
    ys.forEach((y, i) => expect(y.gradFn!.inputShape(0)).toEqual([i + 1]));
    ys.reduce((s, y) => s.add(y.sum()), torch.tensor(0)).backward();
    leaves.forEach((l, i) => expect(l.grad!.tolist()).toEqual(new Array(i + 1).fill(i)));
  });

  it('an input given a new shape array keeps the shape the node saw at forward time', () => {
    const x = torch.ones(2, 3, { requiresGrad: true });
    const y = x.mul(2);
    const z = x.view(3, 2).mul(2);
    expect([y.gradFn!.inputShape(0), z.gradFn!.inputShape(0)]).toEqual([
      [2, 3],
      [3, 2],
    ]);
  });
});

describe('edges kept in fields for up to two inputs', () => {
  const ACC = 'torch::autograd::AccumulateGrad';
  const names = (t: torch.Tensor) =>
    t.gradFn!.nextFunctions.map(([n, nr]) => [n === null ? null : n.name(), nr]);

  it('nextFunctions has one pair per input, whatever the count, null where no grad is needed', () => {
    const a = torch.tensor([1, 2], { requiresGrad: true });
    const b = torch.tensor([3], { requiresGrad: true });
    const k = torch.tensor([5, 6]);
    expect(a.mul(2).gradFn!.nextFunctions[0][0]!.nextFunctions).toEqual([]);
    expect(names(a.exp())).toEqual([[ACC, 0]]);
    expect(names(k.mul(a))).toEqual([
      [null, 0],
      [ACC, 0],
    ]);
    const c = torch.cat([a, k, b, k, a.exp()], 0);
    expect(names(c)).toEqual([
      [ACC, 0],
      [null, 0],
      [ACC, 0],
      [null, 0],
      ['ExpBackward0', 0],
    ]);
    c.sum().backward();
    expect(a.grad!.tolist()).toEqual([1 + Math.E, 1 + Math.exp(2)].map((v) => Math.fround(v)));
    expect(b.grad!.tolist()).toEqual([1]);
  });

  it('a custom Function with three tensor inputs keeps all three edges', () => {
    class Sum3 extends torch.autograd.Function {
      static override forward(
        _ctx: torch.autograd.FunctionCtx,
        x: torch.Tensor,
        y: torch.Tensor,
        z: torch.Tensor,
      ) {
        return x.add(y).add(z);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        return [g, null, g.mul(2), g.mul(3)];
      }
    }
    const [x, y, z] = [1, 2, 3].map((v) => torch.tensor(v, { requiresGrad: true }));
    const out = Sum3.apply(x, torch.tensor(0), y.mul(1), z);
    expect(names(out)).toEqual([
      [ACC, 0],
      [null, 0],
      ['MulBackward0', 0],
      [ACC, 0],
    ]);
    out.backward();
    expect([x, y, z].map((t) => t.grad!.item())).toEqual([1, 2, 3]);
  });
});

describe('node hooks and metadata, made on first use', () => {
  it('post hooks see input and output gradients; remove() detaches only that hook', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const seen: number[][] = [];
    const h1 = y.gradFn!.registerHook(
      (gin, gout) => void seen.push([...(gin[0]!.tolist() as number[]), gout[0].item()]),
    );
    const h2 = y.gradFn!.registerHook(() => void seen.push([-1]));
    expect(y.gradFn!.postHooks).toHaveLength(2);
    h1.remove();
    h1.remove();
    y.sum().backward();
    expect(seen).toEqual([[-1]]);
    h2.remove();
    expect(y.gradFn!.postHooks).toEqual([]);
  });

  it('pre hooks replace the gradient; nodes without hooks report none', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    const s = y.sum();
    expect(y.gradFn!.preHooks).toBeNull();
    expect(y.gradFn!.postHooks).toBeNull();
    const h = y.gradFn!.registerPrehook((g) => g.mul(10));
    s.backward(undefined, { retainGraph: true });
    expect(x.grad!.tolist()).toEqual([30, 30]);
    h.remove();
    x.grad = null;
    s.backward();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  it('metadata is one object per node, kept across reads and not shared', () => {
    const x = torch.tensor([1, 2], { requiresGrad: true });
    const a = x.mul(2).gradFn!;
    const b = x.mul(2).gradFn!;
    const internals = (n: torch.autograd.Node): unknown =>
      (n as unknown as { _metadata: unknown })._metadata;
    expect(internals(a)).toBeNull();
    a.metadata.loc = 'line 1';
    expect(a.metadata).toBe(a.metadata);
    expect(internals(a)).toEqual({ loc: 'line 1' });
    expect(b.metadata).toEqual({});
  });
});
