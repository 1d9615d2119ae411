// The op table: prod and norm, with their programs.
import type { Tensor } from '../../tensor';
import * as P from '../products';
import { entry, f64, method, program, randn, values, type OpEntry } from './programs';

type T = Tensor;

const withZero = values([1.5, 0, -2, 0.5, 3, -1], [2, 3]);
const twoZeros = values([0, 2, 0, -1, 0.5, 3], [3, 2]);

export const products: OpEntry[] = [
  entry(
    P.Prod,
    [
      program('prod()', { x: randn([2, 3]) }, [['y', 'prod', '$x']]),
      program('prod() with a zero', { x: withZero }, [['y', 'prod', '$x']]),
      program('prod() float64', { x: randn([4], f64) }, [['y', 'prod', '$x']]),
    ],
    [
      {
        name: 'prod',
        torch: 'lambda x, d=None, k=False: x.prod() if d is None else x.prod(d, keepdim=k)',
        ours: (x: T, d?: number | null, k?: boolean) => x.prod(d ?? undefined, k ?? false),
      },
    ],
  ),
  entry(P.ProdDim, [
    program('prod(1)', { x: randn([3, 4]) }, [['y', 'prod', '$x', 1]]),
    program('prod(0, keepdim) with zeros', { x: twoZeros }, [['y', 'prod', '$x', 0, true]]),
  ]),
  entry(
    P.Norm,
    [
      program('norm() (1.13: NormBackward1)', { x: randn([3, 4]) }, [['y', 'norm', '$x']]),
      program('norm(2, 1, keepdim) float64', { x: randn([3, 4], f64) }, [
        ['y', 'norm', '$x', 2, 1, true],
      ]),
      program('norm of zeros has a zero gradient', { x: values([0, 0, 0], [3]) }, [
        ['y', 'norm', '$x'],
      ]),
    ],
    [method('norm', (x: T, p?: number, d?: number, k?: boolean) => x.norm(p, d, k))],
  ),
];
