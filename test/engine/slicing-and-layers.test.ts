// Range slices are views of their base (values and graphs are checked against PyTorch in
// test/engine/ops-golden.test.ts), and the activation layers run their functional forms.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';

const { nn } = torch;
const F = nn.functional;

describe('slices in x.index', () => {
  it('x[:2, 1:] and x[::2] are views: writes reach the base and share its version', () => {
    const x = torch.arange(0, 12, 1, { dtype: torch.float32 }).reshape(3, 4);
    const corner = x.index(torch.slice(null, 2), torch.slice(1));
    const everyOther = x.index(torch.slice(null, null, 2));
    corner.fill_(-1);
    everyOther.mul_(10);
    expect(x.tolist()).toEqual([
      [0, -10, -10, -10],
      [4, -1, -1, -1],
      [80, 90, 100, 110],
    ]);
    expect(corner._version).toBe(x._version);
    expect(everyOther._version).toBe(x._version);
  });

  it("x[:T, :T] records two SliceBackward0 nodes over the leaf, as PyTorch's", () => {
    const x = torch.randn(4, 4, { requiresGrad: true });
    const y = x.index(torch.slice(null, 2), torch.slice(null, 2));
    expect(y.shape).toEqual([2, 2]);
    const inner = y.gradFn!.nextFunctions[0][0]!;
    expect([y.gradFn!.name(), inner.name()]).toEqual(['SliceBackward0', 'SliceBackward0']);
    expect(inner.nextFunctions[0][0]!.name()).toBe('torch::autograd::AccumulateGrad');
  });

  it('torch.slice(start) leaves the end open, unlike Python slice(stop)', () => {
    expect(torch.arange(5).index(torch.slice(3)).tolist()).toEqual([3, 4]);
    expect(torch.arange(5).index(torch.slice(null, 3)).tolist()).toEqual([0, 1, 2]);
  });
});

describe('activation layers', () => {
  const x = torch.randn(3, 4);
  type Layer = { forward(t: torch.Tensor): torch.Tensor };
  const cases: [string, Layer, (t: torch.Tensor) => torch.Tensor][] = [
    ['GELU', new nn.GELU(), (t) => F.gelu(t)],
    ["GELU('tanh')", new nn.GELU('tanh'), (t) => F.gelu(t, 'tanh')],
    ['SiLU', new nn.SiLU(), (t) => F.silu(t)],
    ['LeakyReLU(0.2)', new nn.LeakyReLU(0.2), (t) => F.leakyRelu(t, 0.2)],
    ['Softplus(2, 5)', new nn.Softplus(2, 5), (t) => F.softplus(t, 2, 5)],
    ['ELU(0.5)', new nn.ELU(0.5), (t) => F.elu(t, 0.5)],
  ];

  it.each(cases)('%s computes its functional form', (_name, layer, f) => {
    expect(layer.forward(x).tolist()).toEqual(f(x).tolist());
  });

  it("GELU's tanh approximation differs from the exact form", () => {
    expect(new nn.GELU('tanh').forward(x).tolist()).not.toEqual(new nn.GELU().forward(x).tolist());
  });
});
