// The op table: variance, standard deviation, logsumexp and cumsum, with their programs.
import type { Tensor } from '../../tensor';
import * as S from '../statistics';
import { entry, f64, method, program, randn, type OpEntry } from './programs';

type T = Tensor;
type Dims = number | number[] | null | undefined;

const spread = (name: 'var' | 'std') => ({
  name,
  torch: `lambda x, d=None, k=False: x.${name}(d, keepdim=k)`,
  ours: (x: T, d?: Dims, k?: boolean) => x[name](d ?? undefined, k ?? false),
});

export const statistics: OpEntry[] = [
  entry(
    S.Var,
    [
      program('var()', { x: randn([3, 4]) }, [['y', 'var', '$x']]),
      program('var(1)', { x: randn([3, 4]) }, [['y', 'var', '$x', 1]]),
      program('var(0, keepdim) float64', { x: randn([5, 3], f64) }, [['y', 'var', '$x', 0, true]]),
      program('var([0, 2])', { x: randn([2, 3, 4]) }, [['y', 'var', '$x', [0, 2]]]),
    ],
    [spread('var')],
  ),
  entry(
    S.Std,
    [
      program('std()', { x: randn([3, 4]) }, [['y', 'std', '$x']]),
      program('std(1, keepdim)', { x: randn([3, 4]) }, [['y', 'std', '$x', 1, true]]),
      program('std(0) float64', { x: randn([6, 2], f64) }, [['y', 'std', '$x', 0]]),
    ],
    [spread('std')],
  ),
  entry(
    S.Logsumexp,
    [
      program('logsumexp(1)', { x: randn([3, 4]) }, [['y', 'logsumexp', '$x', 1]]),
      program('logsumexp(0, keepdim) float64', { x: randn([4, 3], f64) }, [
        ['y', 'logsumexp', '$x', 0, true],
      ]),
      program('logsumexp(-1) large logits', { x: randn([2, 5], { scale: 50 }) }, [
        ['y', 'logsumexp', '$x', -1],
      ]),
    ],
    [method('logsumexp', (x: T, d: number, k?: boolean) => x.logsumexp(d, k))],
  ),
  entry(
    S.Cumsum,
    [
      program('cumsum(0)', { x: randn([3, 4]) }, [['y', 'cumsum', '$x', 0]]),
      program('cumsum(-1) float64', { x: randn([2, 5], f64) }, [['y', 'cumsum', '$x', -1]]),
      program('cumsum of 1-D', { x: randn([5]) }, [['y', 'cumsum', '$x', 0]]),
    ],
    [method('cumsum', (x: T, d: number) => x.cumsum(d))],
  ),
];
