// The op table: embedding lookup (and one-hot rows, checked through a matrix product).
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as Emb from '../embedding';
import * as L from '../linalg';
import { entry, f64, fn, ints, program, randn, s1, values, type OpEntry } from './programs';

type T = Tensor;
const F = torch.nn.functional;

export const embedding: OpEntry[] = [
  entry(
    Emb.Embedding,
    [
      program('embedding of a batch of contexts', { i: ints(5, [2, 3]), w: randn([5, 4], s1) }, [
        ['y', 'F.embedding', '$i', '$w'],
      ]),
      program(
        'embedding with a repeated index, float64',
        { i: values([1, 1, 3], [3], { dtype: 'int64' }), w: randn([4, 2], f64) },
        [['y', 'F.embedding', '$i', '$w']],
      ),
      program(
        'embedding flattened into a hidden layer (makemore)',
        { i: ints(6, [4, 3]), w: randn([6, 2], s1), h: randn([6, 5], { stream: 2 }) },
        [
          ['e', 'F.embedding', '$i', '$w'],
          ['f', 'view', '$e', 4, 6],
          ['y', 'mm', '$f', '$h'],
          ['z', 'tanh', '$y'],
        ],
      ),
    ],
    [fn('F.embedding', (i: T, w: T) => F.embedding(i, w))],
  ),
  entry(
    L.Mm,
    [
      program('one_hot rows times a weight', { i: ints(4, [5]), w: randn([4, 3], s1) }, [
        ['o', 'F.one_hot', '$i', 4],
        ['f', 'to', '$o', 'float32'],
        ['y', 'mm', '$f', '$w'],
      ]),
    ],
    [fn('F.one_hot', (t: T, n?: number) => F.oneHot(t, n))],
  ),
];
