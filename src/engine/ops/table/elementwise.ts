// The op table: elementwise primitives, with their PyTorch programs.
import * as torch from '../../index';
import type { Tensor } from '../../tensor';
import * as E from '../elementwise';
import {
  binary,
  entry,
  f64,
  fn,
  method,
  ones,
  pos,
  program,
  randn,
  s1,
  unary,
  values,
  type Call,
  type OpEntry,
} from './programs';

type T = Tensor;

/** A function whose number-first form stands for Python's operator (`torch.mul(3, b)` is `3 * b`). */
const operator = (name: string, symbol: string, ours: Call['ours']): Call => ({
  name,
  torch: `lambda a, b: a ${symbol} b`,
  ours,
});

export const elementwise: OpEntry[] = [
  entry(E.Neg, unary('neg'), [method('neg', (x: T) => x.neg())]),
  entry(E.Exp, unary('exp'), [method('exp', (x: T) => x.exp())]),
  entry(E.Log, unary('log', { pos: true }), [method('log', (x: T) => x.log())]),
  entry(E.Sqrt, unary('sqrt', { pos: true }), [method('sqrt', (x: T) => x.sqrt())]),
  entry(
    E.Abs,
    [
      ...unary('abs'),
      program('abs at 0 has gradient 0', { x: values([-1, 0, 2]) }, [['y', 'abs', '$x']], {
        gradient: ones(3),
      }),
    ],
    [method('abs', (x: T) => x.abs())],
  ),
  entry(E.Sin, unary('sin'), [method('sin', (x: T) => x.sin())]),
  entry(E.Cos, unary('cos'), [method('cos', (x: T) => x.cos())]),
  entry(E.Tanh, unary('tanh'), [method('tanh', (x: T) => x.tanh())]),
  entry(E.Sigmoid, unary('sigmoid'), [method('sigmoid', (x: T) => x.sigmoid())]),
  entry(
    E.Relu,
    [
      ...unary('relu'),
      program('relu at 0 has gradient 0', { x: values([-1, 0, 2]) }, [['y', 'relu', '$x']], {
        gradient: ones(3),
      }),
    ],
    [method('relu', (x: T) => x.relu())],
  ),
  entry(E.Sign, unary('sign'), [method('sign', (x: T) => x.sign())]),
  entry(
    E.PowScalar,
    [
      ...unary('pow', { args: [3] }),
      ...unary('pow', { pos: true, args: [0.5], shapes: [[4]] }),
      ...unary('pow', { args: [0], shapes: [[3]], dtypes: ['float32'] }),
      ...unary('square', { shapes: [[2, 2]], dtypes: ['float32'] }),
      ...unary('torch.pow', { args: [2], shapes: [[3]], dtypes: ['float64'] }),
    ],
    [
      method('pow', (x: T, y: T | number) => x.pow(y)),
      method('square', (x: T) => x.square()),
      fn('torch.pow', torch.pow),
    ],
  ),
  entry(E.PowScalarBase, [
    program('torch.pow(2, x)', { x: randn([2, 3]) }, [['y', 'torch.pow', 2, '$x']]),
    program('torch.pow(0.5, x) float64', { x: randn([4], f64) }, [['y', 'torch.pow', 0.5, '$x']]),
  ]),
  entry(
    E.RsubScalar,
    [
      program('torch.rsub(x, 1)', { x: randn([2, 3]) }, [['y', 'torch.rsub', '$x', 1]]),
      program('torch.rsub(x, 2.5) float64', { x: randn([3], f64) }, [
        ['y', 'torch.rsub', '$x', 2.5],
      ]),
      program('torch.sub(number, tensor) as 1 - y', { y: randn([3]) }, [
        ['z', 'torch.sub', 1, '$y'],
      ]),
    ],
    [fn('torch.rsub', torch.rsub)],
  ),
  entry(
    E.Reciprocal,
    [
      ...unary('reciprocal', { pos: true }),
      program('torch.div(number, tensor) as 1 / x', { x: pos([3]) }, [['y', 'torch.div', 1, '$x']]),
      program('torch.div(-2.5, x) float64', { x: pos([2, 2], f64) }, [
        ['y', 'torch.div', -2.5, '$x'],
      ]),
    ],
    [method('reciprocal', (x: T) => x.reciprocal())],
  ),
  entry(
    E.Clamp,
    [
      program('clamp(-0.5, 0.5)', { x: randn([3, 4]) }, [['y', 'clamp', '$x', -0.5, 0.5]]),
      program('clamp(min only)', { x: randn([5], f64) }, [['y', 'clamp', '$x', 0]]),
      program('clamp(None, max)', { x: randn([5]) }, [['y', 'clamp', '$x', null, 0.2]]),
      program(
        'clamp at the bounds passes gradient',
        { x: values([-1, -0.5, 0, 0.5, 1]) },
        [['y', 'clamp', '$x', -0.5, 0.5]],
        { gradient: ones(5) },
      ),
    ],
    [method('clamp', (x: T, lo: number | null, hi?: number | null) => x.clamp(lo, hi ?? null))],
  ),
  entry(E.Add, binary('add', { fn: true }), [
    method('add', (x: T, y: T | number) => x.add(y)),
    operator('torch.add', '+', torch.add),
  ]),
  entry(E.Sub, binary('sub'), [
    method('sub', (x: T, y: T | number) => x.sub(y)),
    operator('torch.sub', '-', torch.sub),
  ]),
  entry(E.Mul, binary('mul', { fn: true }), [
    method('mul', (x: T, y: T | number) => x.mul(y)),
    operator('torch.mul', '*', torch.mul),
  ]),
  entry(E.Div, binary('div', { bPos: true }), [
    method('div', (x: T, y: T | number) => x.div(y)),
    operator('torch.div', '/', torch.div),
  ]),
  entry(E.Pow, [
    program('pow(a, b) positive base', { a: pos([2, 3]), b: randn([2, 3]) }, [
      ['y', 'pow', '$a', '$b'],
    ]),
    program(
      'pow(a, b) broadcast float64',
      { a: pos([3, 1], f64), b: randn([4], { ...f64, ...s1 }) },
      [['y', 'pow', '$a', '$b']],
    ),
    program(
      'pow with zero base',
      { a: values([0, 0, 2]), b: values([2, 0, 3]) },
      [['y', 'pow', '$a', '$b']],
      { gradient: ones(3) },
    ),
  ]),
  ...(['maximum', 'minimum'] as const).map((op) =>
    entry(
      op === 'maximum' ? E.Maximum : E.Minimum,
      [
        program(op, { a: randn([2, 3]), b: randn([2, 3]) }, [['y', op, '$a', '$b']]),
        program(`${op} broadcast`, { a: randn([3, 1]), b: randn([4], s1) }, [
          ['y', op, '$a', '$b'],
        ]),
        program(
          `${op} ties split the gradient`,
          { a: values([1, 2, 3]), b: values([1, 0, 3]) },
          [['y', op, '$a', '$b']],
          { gradient: ones(3) },
        ),
      ],
      [method(op, (x: T, y: T) => x[op](y))],
    ),
  ),
  entry(
    E.Where,
    [
      program('where(x > 0, x, y)', { x: randn([2, 3]), y: randn([2, 3]) }, [
        ['c', 'gt', '$x', 0],
        ['z', 'torch.where', '$c', '$x', '$y'],
      ]),
      program('where broadcast', { x: randn([3, 1]), y: randn([4], s1) }, [
        ['c', 'lt', '$y', 0],
        ['z', 'torch.where', '$c', '$x', '$y'],
      ]),
      program('where(c, x, number)', { x: randn([5]) }, [
        ['c', 'gt', '$x', 0],
        ['z', 'torch.where', '$c', '$x', 0],
      ]),
    ],
    [fn('torch.where', torch.where)],
  ),
];
