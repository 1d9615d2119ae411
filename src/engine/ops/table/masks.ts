// The op table: tril, triu and maskedFill, with their programs.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as M from '../masks';
import { entry, f64, fn, method, noGrad, program, randn, values, type OpEntry } from './programs';

type T = Tensor;
const causal = values([1, 0, 0, 1, 1, 0, 1, 1, 1], [3, 3], { dtype: 'bool' });

export const masks: OpEntry[] = [
  entry(
    M.Tril,
    [
      program('tril()', { x: randn([3, 4]) }, [['y', 'tril', '$x']]),
      program('tril(-1) batched', { x: randn([2, 3, 3]) }, [['y', 'tril', '$x', -1]]),
      program('tril(1) float64', { x: randn([4, 3], f64) }, [['y', 'tril', '$x', 1]]),
      program('torch.tril(x, -1)', { x: randn([3, 3]) }, [['y', 'torch.tril', '$x', -1]]),
    ],
    [method('tril', (x: T, k?: number) => x.tril(k)), fn('torch.tril', torch.tril)],
  ),
  entry(
    M.Triu,
    [
      program('triu()', { x: randn([3, 4]) }, [['y', 'triu', '$x']]),
      program('triu(1) batched', { x: randn([2, 3, 3]) }, [['y', 'triu', '$x', 1]]),
      program('triu(-2) float64', { x: randn([4, 3], f64) }, [['y', 'triu', '$x', -2]]),
      program('torch.triu(x)', { x: randn([2, 4]) }, [['y', 'torch.triu', '$x']]),
    ],
    [method('triu', (x: T, k?: number) => x.triu(k)), fn('torch.triu', torch.triu)],
  ),
  entry(
    M.MaskedFill,
    [
      program('masked_fill(w > 0, -1.5)', { x: randn([3, 4]), w: randn([3, 4], noGrad) }, [
        ['m', 'gt', '$w', 0],
        ['y', 'masked_fill', '$x', '$m', -1.5],
      ]),
      program(
        'causal mask broadcast over a batch, then softmax',
        { x: randn([2, 3, 3]), c: causal },
        [
          ['m', 'eq', '$c', false],
          ['y', 'masked_fill', '$x', '$m', -1e9],
          ['p', 'softmax', '$y', -1],
        ],
      ),
      program(
        'masked_fill float64 mask of another shape',
        { x: randn([2, 3], f64), w: randn([3], noGrad) },
        [
          ['m', 'lt', '$w', 0],
          ['y', 'masked_fill', '$x', '$m', 2],
        ],
      ),
    ],
    [method('masked_fill', (x: T, m: T, v: number) => x.maskedFill(m, v))],
  ),
];
