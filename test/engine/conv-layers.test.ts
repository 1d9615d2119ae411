// nn.Conv1d, nn.Conv2d and nn.MaxPool2d as modules: PyTorch's text, weight layouts and
// output shapes (their numbers are checked against PyTorch in the op table's programs).
import { describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';

const { nn } = torch;

describe('convolution layers', () => {
  it('print as PyTorch prints them', () => {
    expect(String(new nn.Conv2d(2, 3, 3))).toBe('Conv2d(2, 3, kernel_size=(3, 3), stride=(1, 1))');
    expect(String(new nn.Conv1d(2, 3, 3, { stride: 2, padding: 1 }))).toBe(
      'Conv1d(2, 3, kernel_size=(3,), stride=(2,), padding=(1,))',
    );
    expect(String(new nn.MaxPool2d(2))).toBe(
      'MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
    );
  });

  it('lay weights out as PyTorch and give its output shapes', () => {
    const c2 = new nn.Conv2d(1, 6, 5, { padding: 2 });
    expect(c2.weight.shape).toEqual([6, 1, 5, 5]);
    const y = new nn.MaxPool2d(2).forward(c2.forward(torch.randn(4, 1, 28, 28)));
    expect(y.shape).toEqual([4, 6, 14, 14]);
    const c1 = new nn.Conv1d(16, 33, 3, { stride: 2, bias: false });
    expect(c1.weight.shape).toEqual([33, 16, 3]);
    expect(c1.bias).toBeNull();
    expect(c1.forward(torch.randn(2, 16, 50)).shape).toEqual([2, 33, 24]);
  });

  it('records one ConvolutionBackward0 with a None edge where there is no bias', () => {
    const c = new nn.Conv1d(2, 2, 2, { bias: false });
    const node = c.forward(torch.randn(1, 2, 4)).gradFn!;
    expect(node.name()).toBe('ConvolutionBackward0');
    expect(node.nextFunctions.map(([n]) => n?.name() ?? null)).toEqual([
      null,
      'torch::autograd::AccumulateGrad',
      null,
    ]);
  });
});
