// The op table: log1p, erf and the activations, with their PyTorch programs.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as A from '../activations';
import {
  entry,
  f64,
  fn,
  method,
  ones,
  program,
  randn,
  unary,
  values,
  type OpEntry,
} from './programs';

type T = Tensor;
const F = torch.nn.functional;
/** Both tails and the middle of each function. */
const wide = { scale: 3 };

export const activations: OpEntry[] = [
  entry(A.Log1p, unary('log1p', { pos: true }), [method('log1p', (x: T) => x.log1p())]),
  entry(
    A.Erf,
    [
      ...unary('erf'),
      program('erf far tails', { x: values([-7, -3.5, 0, 3.5, 7]) }, [['y', 'erf', '$x']], {
        gradient: ones(5),
      }),
    ],
    [method('erf', (x: T) => x.erf())],
  ),
  entry(
    A.Gelu,
    [
      ...unary('F.gelu'),
      program('F.gelu wide float64', { x: randn([3, 4], { ...f64, ...wide }) }, [
        ['y', 'F.gelu', '$x'],
      ]),
      ...unary('F.gelu.tanh'),
      program('F.gelu tanh wide float64', { x: randn([3, 4], { ...f64, ...wide }) }, [
        ['y', 'F.gelu.tanh', '$x'],
      ]),
    ],
    [
      fn('F.gelu', (x: T) => F.gelu(x)),
      {
        name: 'F.gelu.tanh',
        torch: "lambda x: F.gelu(x, approximate='tanh')",
        ours: (x: T) => F.gelu(x, 'tanh'),
      },
    ],
  ),
  entry(
    A.Silu,
    [
      ...unary('F.silu'),
      program('F.silu wide float64', { x: randn([3, 4], { ...f64, ...wide }) }, [
        ['y', 'F.silu', '$x'],
      ]),
    ],
    [fn('F.silu', F.silu)],
  ),
  entry(
    A.LeakyRelu,
    [
      ...unary('F.leaky_relu'),
      program(
        'F.leaky_relu(x, 0.2) at 0',
        { x: values([-1, 0, 2]) },
        [['y', 'F.leaky_relu', '$x', 0.2]],
        { gradient: ones(3) },
      ),
    ],
    [fn('F.leaky_relu', (x: T, slope?: number) => F.leakyRelu(x, slope))],
  ),
  entry(
    A.Softplus,
    [
      ...unary('F.softplus'),
      program(
        'F.softplus(x, 2, 5) past the threshold',
        { x: values([-4, -1, 0, 2, 2.5, 3, 30]) },
        [['y', 'F.softplus', '$x', 2, 5]],
        { gradient: ones(7) },
      ),
      program('F.softplus wide float64', { x: randn([3, 4], { ...f64, ...wide }) }, [
        ['y', 'F.softplus', '$x'],
      ]),
    ],
    [fn('F.softplus', (x: T, beta?: number, threshold?: number) => F.softplus(x, beta, threshold))],
  ),
  entry(
    A.Elu,
    [
      ...unary('F.elu'),
      program(
        'F.elu(x, 0.5) around 0 and large',
        { x: values([-30, -1, 0, 1, 800]) },
        [['y', 'F.elu', '$x', 0.5]],
        { gradient: ones(5) },
      ),
    ],
    [fn('F.elu', (x: T, alpha?: number) => F.elu(x, alpha))],
  ),
];
