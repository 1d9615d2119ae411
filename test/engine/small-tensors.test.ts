// Small tensors share slabs of memory (src/engine/dtype.ts) and have loops of their own for
// squares, cubes and vector sums: each tensor must still own its elements, and the values
// must be PyTorch's (expected values from torch 1.13).
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';

describe('small tensors', () => {
  it('keep their own elements when many share a slab, in every dtype', () => {
    // Sizes that leave odd offsets in a slab, then float64 views, which need 8-byte alignment.
    const made = [];
    for (let i = 0; i < 200; i++) {
      const dtype = (['float32', 'float64', 'int64', 'bool'] as const)[i % 4];
      const n = 17 + (i % 13) * 7;
      made.push({ t: torch.zeros(n, { dtype }), n, dtype });
    }
    made.forEach(({ t }, i) => {
      if (t.dtype !== 'bool') t.add_(i + 1);
    });
    made.forEach(({ t, n, dtype }, i) => {
      expect(t.numel()).toBe(n);
      const want = dtype === 'bool' ? 0 : i + 1;
      expect((t.tolist() as unknown[]).map(Number)).toEqual(new Array(n).fill(want));
    });
  });

  it('flip and repeat copy out of a slab instead of aliasing a neighbour', () => {
    const a = torch.arange(20);
    const b = torch.arange(20).add(100);
    const flipped = a.flip(0);
    a.add_(1000);
    expect(flipped.tolist()).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));
    expect(b.tolist()).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
  });

  it('cubes float32 as PyTorch does, rounding x*x before the last product', () => {
    // x ** 3 rounded once would be 1.0039050579071045; PyTorch computes (x * x) * x in float32.
    const x = torch.tensor([1.0012999773025513], { requiresGrad: true });
    const y = x.pow(3);
    expect(y.item()).toBe(1.003904938697815);
    y.backward(torch.tensor([0.7]));
    expect(x.grad!.item()).toBe(2.1054632663726807);
  });

  it('takes the gradient of a square through sum and of a cube with a full gradient', () => {
    const x = torch.tensor([0.5, -1.5, 2.25], { dtype: 'float64', requiresGrad: true });
    x.pow(2).sum().backward();
    expect(x.grad!.tolist()).toEqual([1, -3, 4.5]);
    x.grad = null;
    x.pow(3).backward(torch.tensor([1, 2, 3], { dtype: 'float64' }));
    expect(x.grad!.tolist()).toEqual([0.75, 13.5, 45.5625]);
  });

  it('sums a strided vector and keeps its dim when asked', () => {
    const m = torch.tensor(Array.from({ length: 12 }, (_, i) => i)).view(3, 4);
    const column = m.select(1, 1);
    expect(column.sum().item()).toBe(1 + 5 + 9);
    expect(column.sum(0, true).shape).toEqual([1]);
  });
});
