// Elementwise primitives. Each declares its forward kernel and its backward together; the
// backward is written with differentiable tensor ops so higher-order gradients work. Unary
// ops also declare their derivative as a scalar function of (grad, saved value): without
// createGraph, backward runs that as one fused loop instead of two or three tensor ops,
// which is most of the cost on small tensors.
import { allocate, isFloating, promote, type DType } from '../dtype';
import { isGradEnabled } from '../grad-mode';
import { broadcastShapes, sameShape } from '../shape';
import type { Tensor } from '../tensor';
import {
  add,
  binaryKernel,
  broadcastView,
  contiguousData,
  div,
  fromStorage,
  isContiguous,
  mul,
  relu,
  reluGrad,
  sigmoid,
  sigmoidGrad,
  sub,
  tanhGrad,
  unaryKernel,
} from './kernels';
import { apply, type Primitive } from './op';
import { sumTo } from './reduce';
import { asPair, type TensorLike } from './scalar';

const floatOf = (t: Tensor): DType => (isFloating(t.dtype) ? t.dtype : 'float32');
const binaryDtype = (a: Tensor, b: Tensor): DType => promote(a.dtype, b.dtype);

function unaryPrimitive(
  name: string,
  f: (x: number) => number,
  saves: readonly (0 | 'out')[],
  backward: (g: Tensor, saved: Tensor[]) => Tensor,
  fused?: (g: number, saved: number) => number,
  keepDtype = false,
): Primitive {
  return {
    name,
    arity: 1,
    saves,
    forward: ([a]) => unaryKernel(a, keepDtype ? a.dtype : floatOf(a), f),
    backward: (g, { saved }) =>
      fused !== undefined && !isGradEnabled()
        ? [binaryKernel(g, saved[0], promote(g.dtype, saved[0].dtype), fused)]
        : [backward(g, saved)],
  };
}

export const Neg = unaryPrimitive(
  'NegBackward0',
  (x) => -x,
  [],
  (g) => g.neg(),
  undefined,
  true,
);
export const Exp = unaryPrimitive(
  'ExpBackward0',
  Math.exp,
  ['out'],
  (g, [y]) => g.mul(y),
  (g, y) => g * y,
);
export const Log = unaryPrimitive(
  'LogBackward0',
  Math.log,
  [0],
  (g, [x]) => g.div(x),
  (g, x) => g / x,
);
export const Sqrt = unaryPrimitive(
  'SqrtBackward0',
  Math.sqrt,
  ['out'],
  (g, [y]) => g.div(y.mul(2)),
  (g, y) => g / (2 * y),
);
export const Abs = unaryPrimitive(
  'AbsBackward0',
  Math.abs,
  [0],
  (g, [x]) => g.mul(x.sign()),
  (g, x) => g * Math.sign(x),
  true,
);
export const Sin = unaryPrimitive(
  'SinBackward0',
  Math.sin,
  [0],
  (g, [x]) => g.mul(x.cos()),
  (g, x) => g * Math.cos(x),
);
export const Cos = unaryPrimitive(
  'CosBackward0',
  Math.cos,
  [0],
  (g, [x]) => g.mul(x.sin().neg()),
  (g, x) => -g * Math.sin(x),
);
export const Tanh = unaryPrimitive(
  'TanhBackward0',
  Math.tanh,
  ['out'],
  (g, [y]) => g.mul(y.mul(y).rsub(1)),
  tanhGrad,
);
export const Sigmoid = unaryPrimitive(
  'SigmoidBackward0',
  sigmoid,
  ['out'],
  (g, [y]) => g.mul(y.mul(y.rsub(1))),
  sigmoidGrad,
);
// The mask comes from the output: relu'(0) is 0, as in PyTorch's threshold_backward.
export const Relu = unaryPrimitive(
  'ReluBackward0',
  relu,
  ['out'],
  (g, [y]) => g.mul(y.gt(0)),
  reluGrad,
  true,
);

export const Reciprocal = unaryPrimitive(
  'ReciprocalBackward0',
  (x) => 1 / x,
  ['out'],
  (g, [y]) => g.mul(y.mul(y)).neg(),
  (g, y) => -g * y * y,
);

/** `sign` has zero gradient everywhere; PyTorch still records SignBackward0. */
export const Sign = unaryPrimitive(
  'SignBackward0',
  Math.sign,
  [],
  (g) => g.mul(0),
  undefined,
  true,
);

interface ScalarArg {
  readonly value: number;
}

/**
 * x ** c as PyTorch's CPU kernel computes it: squares and cubes as products rounded in the
 * tensor's dtype (`base * base * base`), other exponents through pow. Squares and cubes have
 * loops of their own: a per-element call of a function V8 cannot inline returns each result
 * as a boxed number, which on small tensors costs more than the arithmetic.
 */
function powKernel(a: Tensor, c: number, dtype: DType): Tensor {
  if (!isFloating(dtype) || (c !== 2 && c !== 3)) return unaryKernel(a, dtype, (x) => x ** c);
  const src = contiguousData(a);
  const n = src.length;
  const out = allocate(dtype, n);
  if (c === 2) for (let i = 0; i < n; i++) out[i] = src[i] * src[i];
  else if (dtype === 'float32')
    for (let i = 0; i < n; i++) out[i] = Math.fround(src[i] * src[i]) * src[i];
  else for (let i = 0; i < n; i++) out[i] = src[i] * src[i] * src[i];
  return fromStorage(out, a.shape, dtype);
}

/**
 * PyTorch's pow backward for c = 2 or 3, grad * (c * x ** (c - 1)), in one loop that rounds
 * where PyTorch stores each of its tensors (float32 rounding is exact in float64 arithmetic).
 * Null where it does not apply: another exponent or dtype, or a gradient neither laid out as x
 * nor one value broadcast (as sum's backward hands it).
 */
function powGradKernel(g: Tensor, x: Tensor, c: number): Tensor | null {
  const dtype = x.dtype;
  if ((c !== 2 && c !== 3) || g.dtype !== dtype || !isFloating(dtype)) return null;
  if (!sameShape(g.shape, x.shape)) return null;
  const oneValue = g._strides.every((s) => s === 0);
  if (!oneValue && !isContiguous(g)) return null;
  const xd = contiguousData(x);
  const gd = g._data;
  const go = g._offset;
  const gs = oneValue ? 0 : 1;
  const n = xd.length;
  const out = allocate(dtype, n);
  const f = Math.fround;
  if (dtype === 'float64' && c === 2)
    for (let i = 0, p = go; i < n; i++, p += gs) out[i] = gd[p] * (2 * xd[i]);
  else if (dtype === 'float64')
    for (let i = 0, p = go; i < n; i++, p += gs) out[i] = gd[p] * (3 * (xd[i] * xd[i]));
  else if (c === 2) for (let i = 0, p = go; i < n; i++, p += gs) out[i] = gd[p] * f(2 * xd[i]);
  else for (let i = 0, p = go; i < n; i++, p += gs) out[i] = gd[p] * f(3 * f(xd[i] * xd[i]));
  return fromStorage(out, x.shape.slice(), dtype);
}

/** x ** c for a number c. */
export const PowScalar: Primitive<ScalarArg> = {
  name: 'PowBackward0',
  arity: 1,
  saves: [0],
  forward: ([a], { value }) => powKernel(a, value, Number.isInteger(value) ? a.dtype : floatOf(a)),
  backward: (g, { saved: [x], args: { value } }) => {
    if (value === 0) return [g.mul(0)];
    const fused = isGradEnabled() ? null : powGradKernel(g, x, value);
    return [fused ?? g.mul(x.pow(value - 1).mul(value))];
  },
};

/** c ** x for a number c. */
export const PowScalarBase: Primitive<ScalarArg> = {
  name: 'PowBackward2',
  arity: 1,
  saves: ['out'],
  forward: ([a], { value }) => unaryKernel(a, floatOf(a), (x) => value ** x),
  backward: (g, { saved: [y], args: { value } }) => [g.mul(y).mul(Math.log(value))],
};

/** n - x for a number n (`torch.rsub(x, n)`). */
export const RsubScalar: Primitive<ScalarArg> = {
  name: 'RsubBackward1',
  arity: 1,
  forward: ([a], { value }) => unaryKernel(a, a.dtype, (x) => value - x),
  backward: (g) => [g.neg()],
};

export interface ClampArgs {
  readonly min: number | null;
  readonly max: number | null;
}

export const Clamp: Primitive<ClampArgs> = {
  name: 'ClampBackward1',
  arity: 1,
  saves: [0],
  forward: ([a], { min, max }) =>
    unaryKernel(a, a.dtype, (x) => {
      if (Number.isNaN(x)) return x;
      if (min !== null && x < min) x = min;
      if (max !== null && x > max) x = max;
      return x;
    }),
  backward: (g, { saved: [x], args: { min, max } }) => {
    let mask = x.ge(min ?? -Infinity);
    mask = mask.mul(x.le(max ?? Infinity));
    return [g.mul(mask)];
  },
};

function binaryPrimitive(
  name: string,
  f: (x: number, y: number) => number,
  saves: readonly (0 | 1)[],
  backward: (g: Tensor, saved: Tensor[], needs: readonly boolean[]) => (Tensor | null)[],
  dtype: (a: Tensor, b: Tensor) => DType = binaryDtype,
): Primitive {
  return {
    name,
    arity: 2,
    saves,
    forward: ([a, b]) => binaryKernel(a, b, dtype(a, b), f),
    backward: (g, { saved, shapes, needs }) => {
      const grads = backward(g, saved, needs);
      return grads.map((gi, i) => (gi === null || !needs[i] ? null : sumTo(gi, shapes[i])));
    },
  };
}

export const Add = binaryPrimitive('AddBackward0', add, [], (g) => [g, g]);
export const Sub = binaryPrimitive('SubBackward0', sub, [], (g, _s, needs) => [
  g,
  needs[1] ? g.neg() : null,
]);
// savedFor, as PyTorch's derivatives.yaml formulas use them: d(a*b)/da needs b and d/db
// needs a, so `y.mul(0.9999)` keeps the number and not y; d/da of a/b needs b, d/db both.
export const Mul: Primitive = {
  ...binaryPrimitive('MulBackward0', mul, [0, 1], (g, [a, b], needs) => [
    needs[0] ? g.mul(b) : null,
    needs[1] ? g.mul(a) : null,
  ]),
  savedFor: [[1], [0]],
};
const DivBase = binaryPrimitive(
  'DivBackward0',
  div,
  [0, 1],
  (g, [a, b], needs) => [
    needs[0] ? g.div(b) : null,
    needs[1] ? g.neg().mul(a).div(b.mul(b)) : null,
  ],
  (a, b) => {
    const d = promote(a.dtype, b.dtype);
    return isFloating(d) ? d : 'float32';
  },
);
export const Div: Primitive = { ...DivBase, savedFor: [[1], [0, 1]] };
export const Pow = binaryPrimitive(
  'PowBackward1',
  (x, y) => x ** y,
  [0, 1],
  (g, [a, b], needs) => [
    // Where b == 0 the gradient is 0, even at a == 0 where b * a^(b-1) is 0 * inf (PyTorch's pow_backward_self).
    needs[0] ? g.mul(where(b.eq(0), 0, b.mul(a.pow(b.sub(1))))) : null,
    // d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0 (PyTorch's convention).
    needs[1] ? g.mul(where(a.eq(0).mul(b.ge(0)), 0, a.pow(b).mul(a.log()))) : null,
  ],
);
export const Maximum = binaryPrimitive(
  'MaximumBackward0',
  (x, y) => (x >= y || Number.isNaN(x) ? x : y),
  [0, 1],
  (g, [a, b], needs) => {
    // Ties split the gradient evenly, as PyTorch does.
    const share = a.eq(b).mul(-0.5).add(1);
    return [
      needs[0] ? g.mul(a.ge(b)).mul(share) : null,
      needs[1] ? g.mul(b.ge(a)).mul(share) : null,
    ];
  },
);
export const Minimum = binaryPrimitive(
  'MinimumBackward0',
  (x, y) => (x <= y || Number.isNaN(x) ? x : y),
  [0, 1],
  (g, [a, b], needs) => {
    const share = a.eq(b).mul(-0.5).add(1);
    return [
      needs[0] ? g.mul(a.le(b)).mul(share) : null,
      needs[1] ? g.mul(b.le(a)).mul(share) : null,
    ];
  },
);

export interface WhereArgs {
  readonly cond: Tensor;
}

export const Where: Primitive<WhereArgs> = {
  name: 'WhereBackward0',
  arity: 2,
  forward: ([a, b], { cond }) => whereKernel(cond, a, b),
  backward: (g, { args: { cond }, shapes, needs }) => {
    const zero = g.mul(0);
    return [
      needs[0] ? sumTo(whereKernel(cond, g, zero), shapes[0]) : null,
      needs[1] ? sumTo(whereKernel(cond, zero, g), shapes[1]) : null,
    ];
  },
};

/** where(cond, a, b) without history; Where (above) and its backward both use it. */
function whereKernel(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
  const c = contiguousData(broadcastView(cond, shape));
  const x = contiguousData(broadcastView(a, shape));
  const y = contiguousData(broadcastView(b, shape));
  const dtype = promote(a.dtype, b.dtype);
  const out = allocate(dtype, c.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i] ? x[i] : y[i];
  return fromStorage(out, shape, dtype);
}

/** The comparisons: results without history, dtype bool. */
export function compare(
  a: TensorLike,
  b: TensorLike,
  f: (x: number, y: number) => boolean,
): Tensor {
  const [x, y] = asPair(a, b);
  return binaryKernel(x, y, 'bool', (p, q) => (f(p, q) ? 1 : 0));
}

export function binary(op: Primitive, a: TensorLike, b: TensorLike): Tensor {
  return apply(op, asPair(a, b), undefined);
}

export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = asPair(a, b);
  return apply(Where, [x, y], { cond });
}
