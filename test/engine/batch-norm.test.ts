// nn.BatchNorm1d beyond the golden programs: its PyTorch text, the batches it counts, eval
// without running statistics, and the input checks.
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';

describe('nn.BatchNorm1d', () => {
  it('prints as PyTorch prints it', () => {
    expect(String(new torch.nn.BatchNorm1d(3))).toBe(
      'BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
    );
  });

  it('counts training batches and leaves the running statistics alone in eval', () => {
    const bn = new torch.nn.BatchNorm1d(2);
    const x = torch.tensor([
      [1, 2],
      [3, 6],
    ]);
    bn.forward(x);
    expect(bn.numBatchesTracked).toBe(1);
    expect(bn.runningMean!.tolist()).toEqual([0.2, 0.4].map((v) => Math.fround(v)));
    bn.eval();
    bn.forward(x);
    expect(bn.numBatchesTracked).toBe(1);
    expect(bn.runningMean!.tolist()).toEqual([0.2, 0.4].map((v) => Math.fround(v)));
  });

  it('normalises with the batch in eval when it tracks no running statistics', () => {
    const bn = new torch.nn.BatchNorm1d(1, { trackRunningStats: false, affine: false });
    bn.eval();
    const y = bn.forward(torch.tensor([[1], [3]]));
    expect(bn.runningMean).toBeNull();
    const [a, b] = y.reshape(-1).tolist() as number[];
    expect(a).toBeCloseTo(-1, 3);
    expect(b).toBeCloseTo(1, 3);
  });

  it('takes [N, C] and [N, C, L] only', () => {
    expect(() => new torch.nn.BatchNorm1d(2).forward(torch.zeros(2, 2, 2, 2))).toThrow(
      'expected 2D or 3D input (got 4D input)',
    );
  });
});
