// The op table: reductions and softmax, with their PyTorch programs.
import type { Tensor } from '../../tensor';
import * as R from '../reduce';
import {
  entry,
  f64,
  method,
  noGrad,
  program,
  randn,
  s1,
  unary,
  values,
  type OpEntry,
} from './programs';

type T = Tensor;

export const reduce: OpEntry[] = [
  entry(R.Sum, unary('sum', { shapes: [[2, 3], [4], []] }), [
    method('sum', (x: T, dim?: number | number[] | null, keepdim?: boolean) =>
      x.sum(dim ?? undefined, keepdim ?? false),
    ),
  ]),
  entry(R.SumDim, [
    program('sum(1)', { x: randn([2, 3]) }, [['y', 'sum', '$x', 1]]),
    program('sum(0, keepdim)', { x: randn([2, 3], f64) }, [['y', 'sum', '$x', 0, true]]),
    program('sum([0, 2])', { x: randn([2, 3, 4]) }, [['y', 'sum', '$x', [0, 2]]]),
    program('sum(-1)', { x: randn([3, 2]) }, [['y', 'sum', '$x', -1]]),
  ]),
  entry(R.Mean, unary('mean', { shapes: [[2, 3], [5]] }), [
    method('mean', (x: T, dim?: number | number[] | null, keepdim?: boolean) =>
      x.mean(dim ?? undefined, keepdim ?? false),
    ),
  ]),
  entry(R.MeanDim, [
    program('mean(1)', { x: randn([2, 3]) }, [['y', 'mean', '$x', 1]]),
    program('mean(0, keepdim) float64', { x: randn([4, 3], f64) }, [['y', 'mean', '$x', 0, true]]),
    program('mean([1, 2])', { x: randn([2, 3, 4]) }, [['y', 'mean', '$x', [1, 2]]]),
  ]),
  ...(['max', 'min'] as const).map((op) =>
    entry(
      op === 'max' ? R.Max : R.Min,
      [
        ...unary(op, { shapes: [[3, 4]] }),
        program(`${op} with ties shares the gradient`, { x: values([1, 3, -2, 3, -2]) }, [
          ['y', op, '$x'],
        ]),
      ],
      [method(op, (x: T) => x[op]())],
    ),
  ),
  ...(['softmax', 'log_softmax'] as const).map((op) =>
    entry(
      op === 'softmax' ? R.Softmax : R.LogSoftmax,
      [
        program(`${op}(1) weighted`, { x: randn([3, 4]), w: randn([3, 4], noGrad) }, [
          ['y', op, '$x', 1],
          ['z', 'mul', '$y', '$w'],
        ]),
        program(
          `${op}(0) float64 weighted`,
          { x: randn([5, 2], f64), w: randn([5, 2], { ...f64, ...noGrad, ...s1 }) },
          [
            ['y', op, '$x', 0],
            ['z', 'mul', '$y', '$w'],
          ],
        ),
        program(
          `${op}(-1) large logits`,
          { x: randn([2, 3], { scale: 50 }) },
          [['y', op, '$x', -1]],
          { gradient: randn([2, 3], s1) },
        ),
      ],
      [
        op === 'softmax'
          ? method(op, (x: T, d: number) => x.softmax(d))
          : method(op, (x: T, d: number) => x.logSoftmax(d)),
      ],
    ),
  ),
];
