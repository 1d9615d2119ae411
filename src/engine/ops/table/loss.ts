// The op table: losses, with their PyTorch programs.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as I from '../inplace';
import * as Loss from '../loss';
import {
  entry,
  f64,
  ints,
  loss,
  method,
  noGrad,
  pos,
  program,
  randn,
  s1,
  s2,
  values,
  type OpEntry,
} from './programs';

type T = Tensor;
const F = torch.nn.functional;

export const losses: OpEntry[] = [
  entry(
    Loss.MseLoss,
    [
      program('mse_loss mean', { x: randn([3, 2]), t: randn([3, 2], noGrad) }, [
        ['y', 'F.mse_loss', '$x', '$t'],
      ]),
      program('mse_loss sum, target requires grad', { x: randn([4]), t: randn([4], s1) }, [
        ['y', 'F.mse_loss', '$x', '$t', 'sum'],
      ]),
      program(
        'mse_loss none',
        { x: randn([2, 2], f64), t: randn([2, 2], { ...f64, ...noGrad, ...s1 }) },
        [['y', 'F.mse_loss', '$x', '$t', 'none']],
        { gradient: randn([2, 2], { ...f64, ...s2 }) },
      ),
    ],
    [loss('F.mse_loss', F.mseLoss)],
  ),
  entry(
    Loss.NllLoss,
    [
      program('nll_loss of log_softmax', { x: randn([4, 3]), t: ints(3, [4]) }, [
        ['l', 'log_softmax', '$x', 1],
        ['y', 'F.nll_loss', '$l', '$t'],
      ]),
      program('cross_entropy', { x: randn([3, 5]), t: ints(5, [3], s1) }, [
        ['y', 'F.cross_entropy', '$x', '$t'],
      ]),
      program('nll_loss sum', { x: randn([2, 4], f64), t: ints(4, [2], s1) }, [
        ['y', 'F.nll_loss', '$x', '$t', 'sum'],
      ]),
      program(
        'nll_loss none',
        { x: randn([3, 3]), t: ints(3, [3], s1) },
        [['y', 'F.nll_loss', '$x', '$t', 'none']],
        { gradient: randn([3], s2) },
      ),
      program('nll_loss 1-D input', { x: randn([4]), t: values([2], [], { dtype: 'int64' }) }, [
        ['y', 'F.nll_loss', '$x', '$t'],
      ]),
    ],
    [loss('F.nll_loss', F.nllLoss), loss('F.cross_entropy', F.crossEntropy)],
  ),
  entry(
    Loss.BinaryCrossEntropy,
    [
      program(
        'binary_cross_entropy',
        { x: randn([2, 3]), t: pos([2, 3], { rg: false, lo: 0, hi: 1 }) },
        [
          ['p', 'sigmoid', '$x'],
          ['y', 'F.binary_cross_entropy', '$p', '$t'],
        ],
      ),
      program(
        'binary_cross_entropy sum float64',
        {
          p: pos([4], { ...f64, lo: 0.1, hi: 0.9 }),
          t: pos([4], { ...f64, ...noGrad, ...s1, lo: 0, hi: 1 }),
        },
        [['y', 'F.binary_cross_entropy', '$p', '$t', 'sum']],
      ),
    ],
    [loss('F.binary_cross_entropy', F.binaryCrossEntropy)],
  ),
  entry(
    I.Fill,
    [
      program(
        'fill_ on a non-leaf',
        { x: randn([3]), w: randn([3], noGrad) },
        [
          ['y', 'mul', '$x', 2],
          ['z', 'fill_', '$y', 1.5],
          ['u', 'mul', '$z', '$x'],
        ],
        { gradient: randn([3]) },
      ),
    ],
    [method('fill_', (x: T, v: number) => x.fill_(v))],
  ),
];
