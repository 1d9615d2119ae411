// PyTorch's UserWarnings through process.emitWarning, with PyTorch's text
// (test/fixtures/engine-idioms.json, `warnings`): `.grad` of a non-leaf once per call site, as
// Python's default filter shows it, and `x.T` beyond two dims once per process.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { loadFixture } from '../helpers/fixtures';

interface WarningCase {
  name: string;
  category: string;
  text: string;
}
const fixture = loadFixture<{ warnings: WarningCase[] }>('engine-idioms.json');
const expected = (name: string): WarningCase => fixture.warnings.find((w) => w.name === name)!;

/** The warnings the process emits while `fn` runs (they arrive on the next tick). */
async function warningsDuring(fn: () => void): Promise<Error[]> {
  const seen: Error[] = [];
  const listener = (w: Error) => seen.push(w);
  process.on('warning', listener);
  try {
    fn();
    await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

const gradOf = (t: torch.Tensor): torch.Tensor | null => t.grad;

describe('UserWarnings as PyTorch words them', () => {
  it('.grad of a non-leaf warns once per call site', async () => {
    const x = torch.ones(2, { requiresGrad: true });
    const y = x.mul(2);
    const seen = await warningsDuring(() => {
      for (let i = 0; i < 3; i++) expect(gradOf(y)).toBeNull(); // one site, three reads
      expect(y.grad).toBeNull(); // a second site
    });
    const { category, text } = expected('.grad of a non-leaf');
    expect(seen.map((w) => [w.name, w.message])).toEqual([
      [category, text],
      [category, text],
    ]);
  });

  it('leaves, retained non-leaves and tools reading _grad do not warn', async () => {
    const x = torch.ones(2, { requiresGrad: true });
    const y = x.mul(2);
    const z = x.mul(3);
    z.retainGrad();
    const seen = await warningsDuring(() => {
      expect(x.grad).toBeNull();
      expect(z.grad).toBeNull();
      expect(y._grad).toBeNull();
    });
    expect(seen).toEqual([]);
  });

  it('x.T beyond two dims warns once', async () => {
    const seen = await warningsDuring(() => {
      const shapes = [torch.ones(2, 3, 4).T, torch.ones(3).T, torch.ones(2, 3).T].map(
        (t) => t.shape,
      );
      expect(shapes).toEqual([[4, 3, 2], [3], [3, 2]]);
    });
    const { category, text } = expected('x.T of 3-D');
    expect(seen.map((w) => [w.name, w.message])).toEqual([[category, text]]);
  });
});

describe('mse_loss with shapes that only broadcast', () => {
  it('warns (once for the same shapes) and broadcasts, as PyTorch does', async () => {
    const input = torch.ones(3, 1);
    const target = torch.zeros(3);
    let loss: torch.Tensor | null = null;
    const seen = await warningsDuring(() => {
      for (let i = 0; i < 3; i++) loss = torch.nn.functional.mseLoss(input, target);
    });
    expect(seen.map((w) => w.message)).toEqual([
      'mse_loss: Using a target size (torch.Size([3])) that is different to the input size (torch.Size([3, 1])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
    ]);
    expect(loss!.item()).toBe(1);
  });
});

describe('module text', () => {
  it('LayerNorm prints eps as Python does', () => {
    expect(String(new torch.nn.LayerNorm(4))).toBe(
      'LayerNorm((4,), eps=1e-05, elementwise_affine=True)',
    );
  });
});
