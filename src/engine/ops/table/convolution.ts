// The op table: unfold/fold, convolution and max pooling, with their programs.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as C from '../convolution';
import * as P from '../pooling';
import * as U from '../unfold';
import { entry, f64, noGrad, program, randn, type OpEntry } from './programs';

type T = Tensor;
const F = torch.nn.functional;

const convCall = (d: 1 | 2) => ({
  name: `F.conv${d}d`,
  torch: `lambda x, w, b=None, s=1, p=0: F.conv${d}d(x, w, b, s, p)`,
  ours: (x: T, w: T, b?: T | null, s?: number, p?: number) =>
    (d === 1 ? F.conv1d : F.conv2d)(x, w, b ?? null, { stride: s ?? 1, padding: p ?? 0 }),
});

export const convolution: OpEntry[] = [
  entry(
    U.Im2Col,
    [
      program('unfold(2)', { x: randn([2, 3, 4, 5]) }, [['y', 'F.unfold', '$x', 2]]),
      program('unfold(3, padding 1, stride 2) float64', { x: randn([1, 2, 5, 4], f64) }, [
        ['y', 'F.unfold', '$x', 3, 1, 2],
      ]),
    ],
    [
      {
        name: 'F.unfold',
        torch: 'lambda x, k, p=0, s=1: F.unfold(x, k, padding=p, stride=s)',
        ours: (x: T, k: number, p?: number, s?: number) =>
          F.unfold(x, k, { padding: p ?? 0, stride: s ?? 1 }),
      },
    ],
  ),
  entry(
    U.Col2Im,
    [
      program('fold([4, 5], 2)', { c: randn([2, 12, 12]) }, [['y', 'F.fold', '$c', [4, 5], 2]]),
      program('fold([5, 5], 3, padding 1, stride 2) float64', { c: randn([1, 9, 9], f64) }, [
        ['y', 'F.fold', '$c', [5, 5], 3, 1, 2],
      ]),
    ],
    [
      {
        name: 'F.fold',
        torch: 'lambda c, o, k, p=0, s=1: F.fold(c, o, k, padding=p, stride=s)',
        ours: (c: T, o: number[], k: number, p?: number, s?: number) =>
          F.fold(c, o, k, { padding: p ?? 0, stride: s ?? 1 }),
      },
    ],
  ),
  entry(
    C.Convolution,
    [
      program('conv2d', { x: randn([2, 3, 5, 5]), w: randn([4, 3, 3, 3]), b: randn([4]) }, [
        ['y', 'F.conv2d', '$x', '$w', '$b'],
      ]),
      program(
        'conv2d stride 2, padding 1 float64',
        { x: randn([2, 2, 6, 5], f64), w: randn([3, 2, 3, 2], f64), b: randn([3], f64) },
        [['y', 'F.conv2d', '$x', '$w', '$b', 2, 1]],
      ),
      program(
        'conv2d without bias, input without grad',
        { x: randn([1, 2, 4, 4], noGrad), w: randn([2, 2, 2, 2]) },
        [['y', 'F.conv2d', '$x', '$w']],
      ),
      program('conv1d', { x: randn([2, 3, 7]), w: randn([4, 3, 3]), b: randn([4]) }, [
        ['y', 'F.conv1d', '$x', '$w', '$b'],
      ]),
      program(
        'conv1d stride 2, padding 1',
        { x: randn([1, 2, 8]), w: randn([3, 2, 3]), b: randn([3]) },
        [['y', 'F.conv1d', '$x', '$w', '$b', 2, 1]],
      ),
      program('Conv2d init under manual_seed', { x: randn([1, 2, 5, 5]) }, [
        ['y', 'nn.Conv2d.seeded', '$x', 2, 3, 3],
      ]),
    ],
    [
      convCall(1),
      convCall(2),
      {
        name: 'nn.Conv2d.seeded',
        torch: 'lambda x, i, o, k: (torch.manual_seed(0), torch.nn.Conv2d(i, o, k))[1](x)',
        ours: (x: T, i: number, o: number, k: number) => {
          torch.manualSeed(0);
          return new torch.nn.Conv2d(i, o, k).forward(x);
        },
      },
    ],
  ),
  entry(
    P.MaxPool2d,
    [
      program('max_pool2d(2)', { x: randn([2, 3, 4, 4]) }, [['y', 'F.max_pool2d', '$x', 2]]),
      program('max_pool2d(3, stride 2, padding 1) float64', { x: randn([1, 2, 5, 5], f64) }, [
        ['y', 'F.max_pool2d', '$x', 3, 2, 1],
      ]),
      program('max_pool2d(2) of an odd size', { x: randn([1, 1, 5, 5]) }, [
        ['y', 'F.max_pool2d', '$x', 2],
      ]),
    ],
    [
      {
        name: 'F.max_pool2d',
        torch: 'lambda x, k, s=None, p=0: F.max_pool2d(x, k, s, p)',
        ours: (x: T, k: number, s?: number | null, p?: number) =>
          F.maxPool2d(x, k, {
            ...(s === undefined || s === null ? {} : { stride: s }),
            padding: p ?? 0,
          }),
      },
    ],
  ),
];
