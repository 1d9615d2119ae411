// The op table: matrix products, with their PyTorch programs.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as L from '../linalg';
import { entry, f64, fn, method, noGrad, program, randn, s1, s2, type OpEntry } from './programs';

type T = Tensor;
const F = torch.nn.functional;

export const linalg: OpEntry[] = [
  entry(
    L.Addmm,
    [
      program(
        'addmm',
        { c: randn([4]), a: randn([3, 2]), b: randn([2, 4]) },
        [['y', 'torch.addmm', '$c', '$a', '$b']],
        { gradient: randn([3, 4]) },
      ),
      program(
        'F.linear on 2-D',
        { x: randn([5, 3], noGrad), w: randn([2, 3], s1), b: randn([2], s2) },
        [
          ['y', 'F.linear', '$x', '$w', '$b'],
          ['z', 'sum', '$y'],
        ],
      ),
      // A batch of sequences (attention's q/k/v): PyTorch flattens the rows into one addmm.
      program(
        'F.linear on contiguous 3-D',
        { x: randn([2, 4, 3]), w: randn([5, 3], s1), b: randn([5], s2) },
        [
          ['y', 'F.linear', '$x', '$w', '$b'],
          ['z', 'sum', '$y'],
        ],
      ),
    ],
    [fn('torch.addmm', torch.addmm), fn('F.linear', (x: T, w: T, b?: T) => F.linear(x, w, b))],
  ),
  entry(
    L.Dot,
    [
      program('dot', { a: randn([4]), b: randn([4]) }, [['y', 'dot', '$a', '$b']]),
      program('matmul 1-D @ 1-D', { a: randn([3], f64), b: randn([3], { ...f64, ...s1 }) }, [
        ['y', 'matmul', '$a', '$b'],
      ]),
    ],
    [method('dot', (x: T, y: T) => x.dot(y))],
  ),
  entry(
    L.Mv,
    [
      program('mv', { m: randn([2, 3]), v: randn([3]) }, [['y', 'mv', '$m', '$v']], {
        gradient: randn([2]),
      }),
      program('matmul 2-D @ 1-D', { m: randn([3, 2]), v: randn([2], s1) }, [
        ['y', 'matmul', '$m', '$v'],
        ['z', 'sum', '$y'],
      ]),
      program('matmul 3-D @ 1-D folds into mv', { a: randn([2, 3, 4]), b: randn([4], s1) }, [
        ['y', 'matmul', '$a', '$b'],
        ['z', 'sum', '$y'],
      ]),
    ],
    [method('mv', (x: T, y: T) => x.mv(y))],
  ),
  entry(
    L.Bmm,
    [
      program(
        'matmul 3-D @ 3-D (bmm)',
        { a: randn([2, 2, 3]), b: randn([2, 3, 4]) },
        [['y', 'matmul', '$a', '$b']],
        { gradient: randn([2, 2, 4]) },
      ),
      program(
        'matmul broadcasts batch: 3-D @ 3-D with batch 1',
        { a: randn([3, 2, 3]), b: randn([1, 3, 2], s1) },
        [
          ['y', 'matmul', '$a', '$b'],
          ['z', 'sum', '$y'],
        ],
      ),
      program('torch.bmm', { a: randn([2, 3, 4]), b: randn([2, 4, 2]) }, [
        ['y', 'torch.bmm', '$a', '$b'],
      ]),
      program(
        'bmm float64, b without grad',
        { a: randn([3, 2, 2], f64), b: randn([3, 2, 5], { ...f64, ...noGrad }) },
        [['y', 'bmm', '$a', '$b']],
      ),
    ],
    [fn('torch.bmm', torch.bmm), method('bmm', (x: T, y: T) => x.bmm(y))],
  ),
];
