// The op table: views, copies, indexing, cat and stack, with their PyTorch programs.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as L from '../linalg';
import * as V from '../views';
import {
  entry,
  f64,
  fn,
  method,
  noGrad,
  program,
  randn,
  s1,
  s2,
  values,
  type OpEntry,
} from './programs';

type T = Tensor;

const idx = values([2, 0, 2], [3], { dtype: 'int64' });

export const views: OpEntry[] = [
  entry(
    V.View,
    [
      program('view(3, 2)', { x: randn([2, 3]), w: randn([3, 2], noGrad) }, [
        ['y', 'view', '$x', 3, 2],
        ['z', 'mul', '$y', '$w'],
      ]),
      program('view(-1)', { x: randn([2, 2]) }, [['y', 'view', '$x', -1]], {
        gradient: randn([4], s1),
      }),
      program(
        'reshape on contiguous (1.13: ReshapeAliasBackward0)',
        { x: randn([2, 3]) },
        [['y', 'reshape', '$x', 6]],
        { gradient: randn([6], s1) },
      ),
      program(
        'flatten (1.13: ReshapeAliasBackward0)',
        { x: randn([2, 3, 2]) },
        [['y', 'flatten', '$x', 1]],
        { gradient: randn([2, 6], s1) },
      ),
    ],
    [
      method('view', (x: T, ...s: number[]) => x.view(...s)),
      method('reshape', (x: T, ...s: number[]) => x.reshape(...s)),
      method('flatten', (x: T, s?: number, e?: number) => x.flatten(s, e)),
    ],
  ),
  entry(
    V.T,
    [
      program('t()', { x: randn([2, 3]), w: randn([3, 2], noGrad) }, [
        ['y', 't', '$x'],
        ['z', 'mul', '$y', '$w'],
      ]),
      program('t() of 1-D', { x: randn([3]) }, [['y', 't', '$x']], { gradient: randn([3], s1) }),
    ],
    [method('t', (x: T) => x.t())],
  ),
  entry(
    V.Transpose,
    [
      program('transpose(0, 2)', { x: randn([2, 3, 4]) }, [['y', 'transpose', '$x', 0, 2]], {
        gradient: randn([4, 3, 2], s1),
      }),
      program('transpose(-1, 0)', { x: randn([2, 3]) }, [['y', 'transpose', '$x', -1, 0]], {
        gradient: randn([3, 2], s1),
      }),
      program('x.mT of a batch', { x: randn([2, 3, 4]) }, [['y', 'mT', '$x']], {
        gradient: randn([2, 4, 3], s1),
      }),
    ],
    [
      method('transpose', (x: T, a: number, b: number) => x.transpose(a, b)),
      { name: 'mT', torch: 'lambda x: x.mT', ours: (x: T) => x.mT },
    ],
  ),
  entry(
    V.Permute,
    [
      program('permute(2, 0, 1)', { x: randn([2, 3, 4]) }, [['y', 'permute', '$x', 2, 0, 1]], {
        gradient: randn([4, 2, 3], s1),
      }),
      program('x.T of a matrix', { x: randn([2, 3]), w: randn([3, 2], noGrad) }, [
        ['y', 'T', '$x'],
        ['z', 'mul', '$y', '$w'],
      ]),
      program(
        'x.T of 3-D reverses all dims (PyTorch warns)',
        { x: randn([2, 3, 4]) },
        [['y', 'T', '$x']],
        { gradient: randn([4, 3, 2], s1) },
      ),
    ],
    [
      method('permute', (x: T, ...d: number[]) => x.permute(...d)),
      { name: 'T', torch: 'lambda x: x.T', ours: (x: T) => x.T },
    ],
  ),
  entry(
    V.Expand,
    [
      program('expand(3, -1)', { x: randn([1, 4]) }, [['y', 'expand', '$x', 3, -1]], {
        gradient: randn([3, 4], s1),
      }),
      program('expand adds dims', { x: randn([3, 1]) }, [['y', 'expand', '$x', 2, 3, 4]], {
        gradient: randn([2, 3, 4], s1),
      }),
    ],
    [method('expand', (x: T, ...s: number[]) => x.expand(...s))],
  ),
  entry(
    V.Squeeze,
    [
      program('squeeze()', { x: randn([1, 3, 1]) }, [['y', 'squeeze', '$x']], {
        gradient: randn([3], s1),
      }),
    ],
    [method('squeeze', (x: T, d?: number) => x.squeeze(d))],
  ),
  entry(V.SqueezeDim, [
    program('squeeze(0)', { x: randn([1, 3]) }, [['y', 'squeeze', '$x', 0]], {
      gradient: randn([3], s1),
    }),
    program('squeeze(1) of size 3 is a no-op', { x: randn([2, 3]) }, [['y', 'squeeze', '$x', 1]], {
      gradient: randn([2, 3], s1),
    }),
  ]),
  entry(
    V.Unsqueeze,
    [
      program('unsqueeze(1)', { x: randn([2, 3]) }, [['y', 'unsqueeze', '$x', 1]], {
        gradient: randn([2, 1, 3], s1),
      }),
      program('unsqueeze(-1)', { x: randn([3]) }, [['y', 'unsqueeze', '$x', -1]], {
        gradient: randn([3, 1], s1),
      }),
    ],
    [method('unsqueeze', (x: T, d: number) => x.unsqueeze(d))],
  ),
  entry(
    V.Select,
    [
      program('select(1, 2)', { x: randn([2, 3]) }, [['y', 'select', '$x', 1, 2]], {
        gradient: randn([2], s1),
      }),
      program('select(0, -1)', { x: randn([3, 2], f64) }, [['y', 'select', '$x', 0, -1]], {
        gradient: randn([2], { ...f64, ...s1 }),
      }),
    ],
    [method('select', (x: T, d: number, i: number) => x.select(d, i))],
  ),
  entry(
    V.Narrow,
    [
      program('narrow(1, 1, 2)', { x: randn([2, 4]) }, [['y', 'narrow', '$x', 1, 1, 2]], {
        gradient: randn([2, 2], s1),
      }),
      program('narrow(0, 0, 1)', { x: randn([3]) }, [['y', 'narrow', '$x', 0, 0, 1]], {
        gradient: randn([1], s1),
      }),
    ],
    [method('narrow', (x: T, d: number, s: number, l: number) => x.narrow(d, s, l))],
  ),
  entry(V.SelectBackward, [
    program(
      'grad of select with createGraph',
      { x: randn([3, 2]), v: randn([2]) },
      [
        ['y', 'select', '$x', 0, 1],
        ['g', 'grad', '$y', '$x', '$v'],
        ['w', 'mul', '$g', '$g'],
      ],
      { gradient: randn([3, 2]) },
    ),
  ]),
  entry(V.SliceBackward, [
    program(
      'grad of narrow with createGraph',
      { x: randn([4]), v: randn([2]) },
      [
        ['y', 'narrow', '$x', 0, 1, 2],
        ['g', 'grad', '$y', '$x', '$v'],
        ['w', 'mul', '$g', '$g'],
      ],
      { gradient: randn([4]) },
    ),
  ]),
  entry(
    V.Clone,
    [
      program('clone()', { x: randn([2, 3]) }, [['y', 'clone', '$x']], {
        gradient: randn([2, 3], s1),
      }),
      program(
        'contiguous() of a transpose',
        { x: randn([2, 3]) },
        [
          ['y', 't', '$x'],
          ['z', 'contiguous', '$y'],
        ],
        { gradient: randn([3, 2], s1) },
      ),
    ],
    [method('clone', (x: T) => x.clone()), method('contiguous', (x: T) => x.contiguous())],
  ),
  entry(V.UnsafeView, [
    program(
      'reshape of a non-contiguous tensor copies',
      { x: randn([2, 3]) },
      [
        ['y', 't', '$x'],
        ['z', 'reshape', '$y', 6],
      ],
      { gradient: randn([6], s1) },
    ),
  ]),
  entry(
    V.IndexSelect,
    [
      program('index_select(0) with a repeated index', { x: randn([3, 2]), i: idx }, [
        ['y', 'index_select', '$x', 0, '$i'],
      ]),
      program('index_select(1)', { x: randn([2, 3], f64), i: idx }, [
        ['y', 'index_select', '$x', 1, '$i'],
      ]),
    ],
    [method('index_select', (x: T, d: number, i: T) => x.indexSelect(d, i))],
  ),
  entry(V.IndexAdd, [
    program(
      'grad of index_select with createGraph',
      { x: randn([3, 2]), v: randn([3, 2]), i: idx },
      [
        ['y', 'index_select', '$x', 0, '$i'],
        ['g', 'grad', '$y', '$x', '$v'],
        ['w', 'mul', '$g', '$g'],
      ],
    ),
  ]),
  entry(
    V.Cat,
    [
      program(
        'cat dim 0',
        { a: randn([2, 3]), b: randn([1, 3]) },
        [['y', 'torch.cat', ['$a', '$b'], 0]],
        {
          gradient: randn([3, 3]),
        },
      ),
      program(
        'cat dim 1 with a constant',
        { a: randn([2, 2]), b: randn([2, 3], { ...noGrad, ...s1 }) },
        [['y', 'torch.cat', ['$a', '$b'], 1]],
        { gradient: randn([2, 5], s2) },
      ),
      program('cat same tensor twice', { a: randn([3]) }, [['y', 'torch.cat', ['$a', '$a'], -1]], {
        gradient: randn([6], s1),
      }),
    ],
    [fn('torch.cat', torch.cat)],
  ),
  entry(
    V.Stack,
    [
      program(
        'stack dim 0',
        { a: randn([2, 3]), b: randn([2, 3]) },
        [['y', 'torch.stack', ['$a', '$b'], 0]],
        { gradient: randn([2, 2, 3]) },
      ),
      program(
        'stack dim 1',
        { a: randn([3]), b: randn([3], { ...noGrad, ...s1 }) },
        [['y', 'torch.stack', ['$a', '$b'], 1]],
        { gradient: randn([3, 2], s2) },
      ),
    ],
    [fn('torch.stack', torch.stack)],
  ),
  entry(
    L.Mm,
    [
      program('mm', { a: randn([2, 3]), b: randn([3, 4]) }, [['y', 'mm', '$a', '$b']], {
        gradient: randn([2, 4]),
      }),
      program(
        'matmul 2-D float64',
        { a: randn([3, 3], f64), b: randn([3, 2], { ...f64, ...s1 }) },
        [
          ['y', 'matmul', '$a', '$b'],
          ['z', 'sum', '$y'],
        ],
      ),
      program(
        'mm with constant rhs',
        { a: randn([4, 2]), b: randn([2, 2], { ...noGrad, ...s1 }) },
        [
          ['y', 'mm', '$a', '$b'],
          ['z', 'sum', '$y'],
        ],
      ),
      program('matmul 3-D @ 2-D folds into mm', { a: randn([2, 3, 4]), b: randn([4, 2], s1) }, [
        ['y', 'matmul', '$a', '$b'],
        ['z', 'sum', '$y'],
      ]),
    ],
    [method('mm', (x: T, y: T) => x.mm(y)), method('matmul', (x: T, y: T) => x.matmul(y))],
  ),
];
