// Writes through a view whose elements share memory (an expanded dim) are refused with
// PyTorch's message, except fill_ and zero_, which PyTorch lets through.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';

const OVERLAP =
  'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.';

describe('internal overlap', () => {
  it('refuses add_, mul_ and copy_ through an expanded view', () => {
    const e = () => torch.ones(3).expand(2, 3);
    expect(() => e().add_(1)).toThrow(OVERLAP);
    expect(() => e().mul_(2)).toThrow(OVERLAP);
    expect(() => e().copy_(torch.ones(2, 3))).toThrow(OVERLAP);
  });

  it('lets fill_ and zero_ through, and a size-1 expanded dim', () => {
    const x = torch.zeros(3);
    x.expand(2, 3).fill_(2);
    expect(x.tolist()).toEqual([2, 2, 2]);
    x.unsqueeze(0).expand(1, 3).add_(1);
    expect(x.tolist()).toEqual([3, 3, 3]);
  });

  it('accumulates into a gradient a createGraph pass left as an expanded view', () => {
    const x = torch.ones(3, { requiresGrad: true });
    x.sum().backward(undefined, { createGraph: true });
    x.sum().backward();
    expect(x.grad!.tolist()).toEqual([2, 2, 2]);
  });
});
