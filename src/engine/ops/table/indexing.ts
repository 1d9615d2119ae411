// The op table: advanced indexing, sort and topk, split and chunk, flip and repeat, with
// their programs.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as I from '../indexing';
import * as Q from '../rearrange';
import * as O from '../sorting';
import * as Sp from '../split';
import { entry, f64, ints, method, program, randn, s1, values, type OpEntry } from './programs';

type T = Tensor;

const picked = (name: 'topk' | 'sort', part: 'values' | 'indices') => ({
  name: `${name}.${part}`,
  torch:
    name === 'topk'
      ? `lambda x, k, d=-1, l=True: x.topk(k, d, l).${part}`
      : `lambda x, d=-1, desc=False: x.sort(d, desc).${part}`,
  ours:
    name === 'topk'
      ? (x: T, k: number, d?: number, l?: boolean) => x.topk(k, d, l)[part]
      : (x: T, d?: number, desc?: boolean) => x.sort(d, desc)[part],
});

// The pieces concatenated in reverse order: one node, each piece an output with its number.
const pieces = (name: 'chunk' | 'split') => ({
  name: `${name}.reversed`,
  torch: `lambda x, n, d=0: torch.cat(x.${name}(n, d)[::-1], d)`,
  ours: (x: T, n: number | number[], d = 0) =>
    torch.cat((name === 'chunk' ? x.chunk(n as number, d) : x.split(n, d)).reverse(), d),
});

export const indexing: OpEntry[] = [
  entry(
    I.Index,
    [
      program('index(i) with repeats', { x: randn([4, 3]), i: ints(4, [5]) }, [
        ['y', 'index', '$x', '$i'],
      ]),
      program('index(null, i) with a 2-D index', { x: randn([3, 4]), i: ints(4, [2, 2]) }, [
        ['y', 'index', '$x', null, '$i'],
      ]),
      program(
        'index(i, null, j): separated indices go first',
        { x: randn([3, 4, 5]), i: ints(3, [2]), j: ints(5, [2], s1) },
        [['y', 'index', '$x', '$i', null, '$j']],
      ),
      program(
        'index(null, i, j) float64',
        { x: randn([2, 3, 4], f64), i: ints(3, [3]), j: ints(4, [1]) },
        [['y', 'index', '$x', null, '$i', '$j']],
      ),
      program('index(i, 1) selects first', { x: randn([4, 3]), i: ints(4, [3]) }, [
        ['y', 'index', '$x', '$i', 1],
      ]),
      program('index(mask)', { x: randn([3, 4]) }, [
        ['m', 'gt', '$x', 0],
        ['y', 'index', '$x', '$m'],
      ]),
      program(
        'index(negative i)',
        { x: randn([4, 2]), i: values([-1, 0, -4], [3], { dtype: 'int64' }) },
        [['y', 'index', '$x', '$i']],
      ),
    ],
    [
      {
        name: 'index',
        torch: 'lambda x, *idx: x[tuple(slice(None) if i is None else i for i in idx)]',
        ours: (x: T, ...idx: I.IndexItem[]) => x.index(...idx),
      },
    ],
  ),
  entry(
    I.StepSlice,
    [
      program('index(:2, 1:) slices as views', { x: randn([3, 4]) }, [
        ['y', 'index.sliced', '$x', [null, 2], [1, null]],
      ]),
      program('index(::2, -3:-1) float64', { x: randn([5, 4], f64) }, [
        ['y', 'index.sliced', '$x', [null, null, 2], [-3, -1]],
      ]),
      program(
        'index(1::3, i): a stepped slice, then advanced',
        { x: randn([7, 3]), i: ints(3, [4]) },
        [['y', 'index.sliced', '$x', [1, null, 3], '$i']],
      ),
      program('index(:T, :T) past the end and empty', { x: randn([3, 3]) }, [
        ['a', 'index.sliced', '$x', [null, 10], [null, 10]],
        ['b', 'index.sliced', '$x', [2, 1]],
        ['y', 'mul', '$a', '$a'],
      ]),
      program('grad of a stepped slice with createGraph', { x: randn([6, 2]), v: randn([2, 2]) }, [
        ['p', 'index.sliced', '$x', [1, null, 3]],
        ['q', 'mul', '$p', '$p'],
        ['g', 'grad', '$q', '$x', '$v'],
        ['y', 'mul', '$g', '$g'],
      ]),
    ],
    [
      {
        // A list [start, end, step?] is Python's slice(start, end, step); null is `:`.
        name: 'index.sliced',
        torch:
          'lambda x, *idx: x[tuple(slice(*i) if isinstance(i, list) else slice(None) if i is None else i for i in idx)]',
        ours: (x: T, ...idx: (I.IndexItem | (number | null)[])[]) =>
          x.index(
            ...idx.map((i) =>
              Array.isArray(i) ? torch.slice(i[0] ?? null, i[1] ?? null, i[2] ?? 1) : i,
            ),
          ),
      },
    ],
  ),
  entry(I.StepSliceBackward, [
    program('double backward of a stepped slice', { x: randn([5, 3]), v: randn([2, 3]) }, [
      ['p', 'index.sliced', '$x', [null, null, 3]],
      ['g', 'grad', '$p', '$x', '$v'],
      ['y', 'mul', '$g', '$g'],
    ]),
  ]),
  entry(I.IndexPut, [
    program(
      'grad of index with createGraph',
      { x: randn([4, 3]), v: randn([5, 3]), i: ints(4, [5]) },
      [
        ['y', 'index', '$x', '$i'],
        ['g', 'grad', '$y', '$x', '$v'],
        ['w', 'mul', '$g', '$g'],
      ],
    ),
  ]),
  entry(
    O.Sort,
    [
      program('sort()', { x: randn([3, 5]) }, [['y', 'sort.values', '$x']]),
      program('sort(0, descending) float64', { x: randn([4, 3], f64) }, [
        ['y', 'sort.values', '$x', 0, true],
      ]),
      program('sort indices gather the sorted values', { x: randn([2, 6]) }, [
        ['i', 'sort.indices', '$x', 1],
        ['v', 'sort.values', '$x', 1],
        ['g', 'gather', '$x', 1, '$i'],
        ['y', 'sub', '$v', '$g'],
      ]),
    ],
    [picked('sort', 'values'), picked('sort', 'indices')],
  ),
  entry(
    O.Topk,
    [
      program('topk(2)', { x: randn([3, 5]) }, [['y', 'topk.values', '$x', 2]]),
      program('topk(3, 0, smallest) float64', { x: randn([5, 2], f64) }, [
        ['y', 'topk.values', '$x', 3, 0, false],
      ]),
      program('topk indices gather the picked values', { x: randn([2, 5]) }, [
        ['i', 'topk.indices', '$x', 2, 1],
        ['v', 'topk.values', '$x', 2, 1],
        ['g', 'gather', '$x', 1, '$i'],
        ['y', 'sub', '$v', '$g'],
      ]),
    ],
    [picked('topk', 'values'), picked('topk', 'indices')],
  ),
  entry(
    Sp.Split,
    [
      program('chunk(3, 1) reversed', { x: randn([2, 7]) }, [['y', 'chunk.reversed', '$x', 3, 1]]),
      program('split(2) reversed float64', { x: randn([5, 2], f64) }, [
        ['y', 'split.reversed', '$x', 2],
      ]),
      program('chunk(2) with one piece unused', { x: randn([4, 3]) }, [
        ['p', 'chunk.piece', '$x', 2, 0, 1],
        ['y', 'mul', '$p', '$p'],
      ]),
      program('grad through chunk with createGraph', { x: randn([4, 2]), v: randn([2, 2]) }, [
        ['p', 'chunk.piece', '$x', 2, 0, 1],
        ['q', 'mul', '$p', '$p'],
        ['g', 'grad', '$q', '$x', '$v'],
        ['y', 'mul', '$g', '$g'],
      ]),
    ],
    [
      pieces('chunk'),
      pieces('split'),
      {
        name: 'chunk.piece',
        torch: 'lambda x, n, d, i: x.chunk(n, d)[i]',
        ours: (x: T, n: number, d: number, i: number) => x.chunk(n, d)[i],
      },
    ],
  ),
  entry(Sp.SplitWithSizes, [
    program('split([1, 3], 1) reversed', { x: randn([2, 4]) }, [
      ['y', 'split.reversed', '$x', [1, 3], 1],
    ]),
  ]),
  entry(
    Q.Flip,
    [
      program('flip(0, 2)', { x: randn([2, 3, 4]) }, [['y', 'flip', '$x', [0, 2]]]),
      program('flip(-1) float64', { x: randn([3, 4], f64) }, [['y', 'flip', '$x', [-1]]]),
    ],
    [method('flip', (x: T, dims: number[]) => x.flip(dims))],
  ),
  entry(
    Q.Repeat,
    [
      program('repeat(2, 1, 3) adds a dim', { x: randn([3, 2]) }, [['y', 'repeat', '$x', 2, 1, 3]]),
      program('repeat(2, 2) float64', { x: randn([2, 3], f64) }, [['y', 'repeat', '$x', 2, 2]]),
      program('repeat of a transposed input', { x: randn([2, 3]) }, [
        ['t', 't', '$x'],
        ['y', 'repeat', '$t', 1, 2],
      ]),
    ],
    [method('repeat', (x: T, ...sizes: number[]) => x.repeat(...sizes))],
  ),
];
