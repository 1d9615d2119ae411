// The op table: gather, scatterAdd and max/min along a dim, with their programs.
import type { Tensor } from '../../tensor';
import * as G from '../gather';
import { entry, f64, ints, method, program, randn, s1, values, type OpEntry } from './programs';

type T = Tensor;

const along = (name: 'max' | 'min', part: 'values' | 'indices') => ({
  name: `${name}.${part}`,
  torch: `lambda x, d, k=False: x.${name}(d, keepdim=k).${part}`,
  ours: (x: T, d: number, k?: boolean) => x[name](d, k)[part],
});

const ties = values([1, 3, 3, 0, -1, -1], [2, 3]);

export const gather: OpEntry[] = [
  entry(
    G.Gather,
    [
      program('gather(1)', { x: randn([3, 4]), i: ints(4, [3, 2]) }, [
        ['y', 'gather', '$x', 1, '$i'],
      ]),
      program('gather(0) float64', { x: randn([3, 4], f64), i: ints(3, [2, 4], s1) }, [
        ['y', 'gather', '$x', 0, '$i'],
      ]),
      program('gather at the indices of max(1, keepdim)', { x: randn([3, 5]) }, [
        ['i', 'max.indices', '$x', 1, true],
        ['y', 'gather', '$x', 1, '$i'],
      ]),
    ],
    [method('gather', (x: T, d: number, i: T) => x.gather(d, i))],
  ),
  entry(G.ScatterAdd, [
    program(
      'grad of gather with createGraph',
      { x: randn([3, 4]), v: randn([3, 2]), i: ints(4, [3, 2]) },
      [
        ['y', 'gather', '$x', 1, '$i'],
        ['g', 'grad', '$y', '$x', '$v'],
        ['w', 'mul', '$g', '$g'],
      ],
    ),
  ]),
  ...(['max', 'min'] as const).map((op) =>
    entry(
      op === 'max' ? G.MaxDim : G.MinDim,
      [
        program(`${op}(1)`, { x: randn([3, 4]) }, [['y', `${op}.values`, '$x', 1]]),
        program(`${op}(0, keepdim) float64`, { x: randn([4, 3], f64) }, [
          ['y', `${op}.values`, '$x', 0, true],
        ]),
        program(`${op}(-1) with ties`, { x: ties }, [['y', `${op}.values`, '$x', -1]]),
        program(`${op}(1) indices pick the gathered values`, { x: randn([2, 4]) }, [
          ['i', `${op}.indices`, '$x', 1, true],
          ['v', `${op}.values`, '$x', 1, true],
          ['g', 'gather', '$x', 1, '$i'],
          ['y', 'sub', '$v', '$g'],
        ]),
      ],
      [along(op, 'values'), along(op, 'indices')],
    ),
  ),
];
