// The op table: layer and batch normalisation, with their programs.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as B from '../batch-norm';
import * as N from '../normalization';
import { entry, f64, noGrad, pos, program, randn, type OpEntry } from './programs';

type T = Tensor;
const F = torch.nn.functional;

/** x, weight, bias and running statistics for `channels` channels. */
const bnInputs = (shape: number[], o = {}) => ({
  x: randn(shape, o),
  rm: randn([shape[1]], { ...o, ...noGrad }),
  rv: pos([shape[1]], { ...o, ...noGrad }),
  w: randn([shape[1]], o),
  b: randn([shape[1]], o),
});

export const normalization: OpEntry[] = [
  entry(
    N.LayerNorm,
    [
      program('layer_norm over the last dim', { x: randn([3, 4]), w: randn([4]), b: randn([4]) }, [
        ['y', 'F.layer_norm', '$x', [4], '$w', '$b'],
      ]),
      program(
        'layer_norm over two dims float64',
        { x: randn([2, 3, 4], f64), w: randn([3, 4], f64), b: randn([3, 4], f64) },
        [['y', 'F.layer_norm', '$x', [3, 4], '$w', '$b']],
      ),
      program(
        'layer_norm of a constant input, eps 0.1',
        { x: randn([2, 5], noGrad), w: randn([5]), b: randn([5]) },
        [['y', 'F.layer_norm', '$x', [5], '$w', '$b', 0.1]],
      ),
    ],
    [
      {
        name: 'F.layer_norm',
        torch: 'lambda x, s, w, b, eps=1e-5: F.layer_norm(x, s, w, b, eps)',
        ours: (x: T, s: number[], w: T, b: T, eps?: number) => F.layerNorm(x, s, w, b, eps),
      },
    ],
  ),
  entry(
    B.BatchNorm,
    [
      program('batch_norm training [N, C]', bnInputs([5, 3]), [
        ['y', 'F.batch_norm', '$x', '$rm', '$rv', '$w', '$b', true],
      ]),
      program(
        'batch_norm training [N, C, L] float64, momentum 0.3, eps 0.01',
        bnInputs([4, 2, 3], f64),
        [['y', 'F.batch_norm', '$x', '$rm', '$rv', '$w', '$b', true, 0.3, 0.01]],
      ),
      program('batch_norm eval uses the running statistics', bnInputs([4, 3]), [
        ['y', 'F.batch_norm', '$x', '$rm', '$rv', '$w', '$b', false],
      ]),
      program('batch_norm training moves the running statistics', bnInputs([6, 2]), [
        ['y', 'F.batch_norm', '$x', '$rm', '$rv', '$w', '$b', true],
        ['z', 'mul', '$y', '$rm'],
        ['u', 'mul', '$z', '$rv'],
      ]),
      program('batch_norm without weight and bias', { x: randn([4, 3]) }, [
        ['y', 'F.batch_norm', '$x', null, null, null, null, true],
      ]),
      program('BatchNorm1d: two training steps, then eval', { x: randn([5, 4]) }, [
        ['y', 'nn.BatchNorm1d.steps', '$x', 4],
      ]),
    ],
    [
      {
        name: 'F.batch_norm',
        torch:
          'lambda x, rm, rv, w, b, t, m=0.1, eps=1e-5: F.batch_norm(x, rm, rv, w, b, t, m, eps)',
        ours: (
          x: T,
          rm: T | null,
          rv: T | null,
          w: T | null,
          b: T | null,
          t: boolean,
          m?: number,
          eps?: number,
        ) => F.batchNorm(x, rm, rv, w, b, t, m, eps),
      },
      {
        name: 'nn.BatchNorm1d.steps',
        torch:
          'lambda x, n: (lambda m: [m(x), m(x * 2 + 1), m.eval()] and m(x))(torch.nn.BatchNorm1d(n))',
        ours: (x: T, n: number) => {
          const m = new torch.nn.BatchNorm1d(n);
          m.forward(x);
          m.forward(x.mul(2).add(1));
          m.eval();
          return m.forward(x);
        },
      },
    ],
  ),
];
