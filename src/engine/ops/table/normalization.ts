// The op table: layer normalisation, with its programs.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as N from '../normalization';
import { entry, f64, noGrad, program, randn, type OpEntry } from './programs';

type T = Tensor;
const F = torch.nn.functional;

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
];
