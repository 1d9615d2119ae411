// The op table: in-place writes and dtype casts, with their PyTorch programs.
import type { DType } from '../../dtype';
import type { Tensor } from '../../tensor';
import * as I from '../inplace';
import { AsStrided } from '../copy-slices';
import { IndexPutOp } from '../index-put';
import { entry, f64, method, program, randn, s1, values, type OpEntry } from './programs';

type T = Tensor;

const long = { dtype: 'int64' as DType, rg: false };

export const inplace: OpEntry[] = [
  entry(AsStrided, [
    program('a view read after its base changed in place', { x: randn([2, 3]) }, [
      ['y', 'clone', '$x'],
      ['v', 'select', '$y', 0, 0],
      ['_', 'mul_', '$y', 2],
      ['u', 'mul', '$v', '$v'],
    ]),
  ]),
  entry(
    IndexPutOp,
    [
      program(
        'dlogits[range(n), ys] -= 1',
        {
          x: randn([4, 5]),
          r: values([0, 1, 2, 3], [4], long),
          y: values([2, 0, 4, 2], [4], long),
        },
        [
          ['p', 'softmax', '$x', 1],
          ['d', 'clone', '$p'],
          ['s', 'index', '$d', '$r', '$y'],
          ['t', 'sub', '$s', 1],
          ['_', 'index_put_', '$d', ['$r', '$y'], '$t'],
          ['u', 'mul', '$d', '$d'],
        ],
        { gradient: randn([4, 5]) },
      ),
    ],
    [
      {
        // x[i0, i1, ...] = v (v a tensor or a number), or += with accumulate
        name: 'index_put_',
        torch:
          'lambda x, idx, v, acc=False: x.index_put_(tuple(idx), v if isinstance(v, torch.Tensor) else torch.tensor(v), acc)',
        ours: (x: T, idx: T[], v: T | number, acc = false) => x.indexPut_(idx, v, acc),
      },
    ],
  ),
  entry(
    I.Zero,
    [
      program(
        'zero_ on a non-leaf',
        { x: randn([3]) },
        [
          ['y', 'mul', '$x', 2],
          ['z', 'zero_', '$y'],
          ['u', 'add', '$z', '$x'],
        ],
        { gradient: randn([3]) },
      ),
    ],
    [method('zero_', (x: T) => x.zero_())],
  ),
  entry(
    I.Normal,
    [
      program(
        'normal_ on a non-leaf, seeded',
        { x: randn([4]) },
        [
          ['_', 'torch.manual_seed', 3],
          ['y', 'mul', '$x', 2],
          ['z', 'normal_', '$y', 0.5, 2],
          ['u', 'mul', '$z', '$x'],
        ],
        { gradient: randn([4]) },
      ),
    ],
    [method('normal_', (x: T, m: number, s: number) => x.normal_(m, s))],
  ),
  entry(
    I.Uniform,
    [
      program(
        'uniform_ on a non-leaf, seeded',
        { x: randn([2, 3]) },
        [
          ['_', 'torch.manual_seed', 4],
          ['y', 'mul', '$x', 2],
          ['z', 'uniform_', '$y', -1, 1],
          ['u', 'mul', '$z', '$x'],
        ],
        { gradient: randn([2, 3]) },
      ),
    ],
    [method('uniform_', (x: T, a: number, b: number) => x.uniform_(a, b))],
  ),
  entry(
    I.Copy,
    [
      program(
        'copy_ into a non-leaf',
        { x: randn([2, 3]), s: randn([3]) },
        [
          ['y', 'mul', '$x', 2],
          ['z', 'copy_', '$y', '$s'],
          ['u', 'mul', '$z', '$x'],
        ],
        { gradient: randn([2, 3]) },
      ),
    ],
    [method('copy_', (x: T, s: T) => x.copy_(s))],
  ),
  entry(
    I.ToCopy,
    [
      program(
        'to float64',
        { x: randn([3]) },
        [
          ['y', 'to', '$x', 'float64'],
          ['z', 'mul', '$y', '$y'],
        ],
        { gradient: randn([3], { ...f64, ...s1 }) },
      ),
      program('to float32 from float64', { x: randn([2], f64) }, [['y', 'to', '$x', 'float32']], {
        gradient: randn([2], s1),
      }),
    ],
    [{ name: 'to', torch: 'lambda x, d: x.to(DTYPES[d])', ours: (x: T, d: DType) => x.to(d) }],
  ),
];
