// torch.* function forms of tensor methods: numbers are accepted in either operand place.
// A number first stands for Python's operator form (`3 * b`, `1 - y`, `1 / x`), which is how
// a PyTorch program writes it, so it records what that operator records.
import * as E from './ops/elementwise';
import { apply } from './ops/op';
import { asPair, type TensorLike } from './ops/scalar';
import * as V from './ops/views';
import type { Tensor } from './tensor';

/** `1 + x` is `x + 1` in PyTorch (AddBackward0, x's edge first). @example torch.add(x, 1); torch.add(2, x); */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return typeof a === 'number' && typeof b !== 'number' ? b.add(a) : E.binary(E.Add, a, b);
}

/** `1 - y` is RsubBackward1, as in PyTorch. @example torch.sub(x, y); torch.sub(1, y); */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return typeof a === 'number' && typeof b !== 'number' ? b.rsub(a) : E.binary(E.Sub, a, b);
}

/** `3 * b` is `b * 3` in PyTorch (MulBackward0, b's edge first). @example torch.mul(2, x); */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return typeof a === 'number' && typeof b !== 'number' ? b.mul(a) : E.binary(E.Mul, a, b);
}

/** `1 / x` is `x.reciprocal() * 1` in PyTorch (MulBackward0 over ReciprocalBackward0). @example torch.div(x, 2); torch.div(1, x); */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return typeof a === 'number' && typeof b !== 'number'
    ? b.reciprocal().mul(a)
    : E.binary(E.Div, a, b);
}

/**
 * Power with a number or tensor in either place: `pow(x, 2)` is PowBackward0,
 * `pow(x, y)` PowBackward1, `pow(2, x)` PowBackward2, as in PyTorch 2.x (where `2 ** x` calls
 * `torch.pow(2, x)`; 1.13 recorded PowBackward1 for `2 ** x`).
 * @example torch.pow(2, x);
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  if (typeof a === 'number' && typeof b !== 'number')
    return apply(E.PowScalarBase, [b], { value: a });
  const [x, y] = asPair(a, b);
  return x.pow(typeof b === 'number' ? b : y);
}

/** `other - input` (PyTorch's rsub): `torch.rsub(x, 1)` is `1 - x`. @example torch.rsub(x, 1); */
export function rsub(input: Tensor, other: TensorLike): Tensor {
  return typeof other === 'number' ? input.rsub(other) : other.sub(input);
}

/** Concatenates along an existing dim. @example torch.cat([a, b], 0); */
export function cat(tensors: Tensor[], dim = 0): Tensor {
  return V.cat(tensors, dim);
}

/** Stacks along a new dim. @example torch.stack([a, b], 1); */
export function stack(tensors: Tensor[], dim = 0): Tensor {
  return V.stack(tensors, dim);
}

/** Picks from `a` where `cond` holds, else from `b`. @example torch.where(x.gt(0), x, 0); */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return E.where(cond, a, b);
}

/** @example torch.matmul(a, b); */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return a.matmul(b);
}

/** Batched product of 3-D tensors: [B, n, m] @ [B, m, p]. @example torch.bmm(q, k.transpose(1, 2)); */
export { bmm } from './ops/linalg';

/** @example torch.mm(a, b); */
export function mm(a: Tensor, b: Tensor): Tensor {
  return a.mm(b);
}

/** `bias + a @ b` as one AddmmBackward0 node. @example torch.addmm(b, x, w.t()); */
export { addmm } from './ops/linalg';

/** @example torch.maximum(a, b); */
export function maximum(a: Tensor, b: TensorLike): Tensor {
  return a.maximum(b);
}

/** @example torch.minimum(a, b); */
export function minimum(a: Tensor, b: TensorLike): Tensor {
  return a.minimum(b);
}

/** @example torch.clamp(x, 0, 1); */
export function clamp(x: Tensor, min: number | null = null, max: number | null = null): Tensor {
  return x.clamp(min, max);
}

/** Elementwise helpers in function form. @example torch.exp(x); */
export const exp = (x: Tensor): Tensor => x.exp();
/** @example torch.log(x); */
export const log = (x: Tensor): Tensor => x.log();
/** @example torch.sqrt(x); */
export const sqrt = (x: Tensor): Tensor => x.sqrt();
/** @example torch.abs(x); */
export const abs = (x: Tensor): Tensor => x.abs();
/** @example torch.sin(x); */
export const sin = (x: Tensor): Tensor => x.sin();
/** @example torch.cos(x); */
export const cos = (x: Tensor): Tensor => x.cos();
/** @example torch.tanh(x); */
export const tanh = (x: Tensor): Tensor => x.tanh();
/** @example torch.sigmoid(x); */
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
/** @example torch.relu(x); */
export const relu = (x: Tensor): Tensor => x.relu();
/** @example torch.neg(x); */
export const neg = (x: Tensor): Tensor => x.neg();
/** @example torch.square(x); */
export const square = (x: Tensor): Tensor => x.square();
/** @example torch.sum(x); */
export const sum = (x: Tensor, dim?: number | number[], keepdim = false): Tensor =>
  x.sum(dim, keepdim);
/** @example torch.mean(x); */
export const mean = (x: Tensor, dim?: number | number[], keepdim = false): Tensor =>
  x.mean(dim, keepdim);
/** @example torch.softmax(x, 1); */
export const softmax = (x: Tensor, dim: number): Tensor => x.softmax(dim);
/** @example torch.logSoftmax(x, 1); */
export const logSoftmax = (x: Tensor, dim: number): Tensor => x.logSoftmax(dim);
/** @example torch.flatten(x, 1); */
export const flatten = (x: Tensor, startDim = 0, endDim = -1): Tensor =>
  x.flatten(startDim, endDim);
/** @example torch.reshape(x, [2, -1]); */
export const reshape = (x: Tensor, shape: number[]): Tensor => x.reshape(...shape);
/** @example torch.transpose(x, 0, 1); */
export const transpose = (x: Tensor, d0: number, d1: number): Tensor => x.transpose(d0, d1);
/** @example torch.t(w); */
export const t = (x: Tensor): Tensor => x.t();
/** @example torch.squeeze(x); */
export const squeeze = (x: Tensor, dim?: number): Tensor => x.squeeze(dim);
/** @example torch.unsqueeze(x, 0); */
export const unsqueeze = (x: Tensor, dim: number): Tensor => x.unsqueeze(dim);
/** @example torch.narrow(x, 0, 1, 2); */
export const narrow = (x: Tensor, dim: number, start: number, length: number): Tensor =>
  x.narrow(dim, start, length);
/** The lower triangle of each matrix (on and below diagonal `k`). @example torch.tril(torch.ones(4, 4)); */
export const tril = (x: Tensor, k = 0): Tensor => x.tril(k);
/** The upper triangle of each matrix (on and above diagonal `k`). @example torch.triu(x, 1); */
export const triu = (x: Tensor, k = 0): Tensor => x.triu(k);
/** @example torch.select(x, 0, 1); */
export const select = (x: Tensor, dim: number, index: number): Tensor => x.select(dim, index);
/** @example torch.argmax(x, 1); */
export const argmax = (x: Tensor, dim?: number, keepdim = false): Tensor => x.argmax(dim, keepdim);
/** @example torch.max(x); */
export const max = (x: Tensor): Tensor => x.max();
/** @example torch.min(x); */
export const min = (x: Tensor): Tensor => x.min();
/** @example torch.gt(x, 0); */
export const gt = (a: Tensor, b: TensorLike): Tensor => a.gt(b);
/** @example torch.lt(x, 0); */
export const lt = (a: Tensor, b: TensorLike): Tensor => a.lt(b);
/** @example torch.ge(x, 0); */
export const ge = (a: Tensor, b: TensorLike): Tensor => a.ge(b);
/** @example torch.le(x, 0); */
export const le = (a: Tensor, b: TensorLike): Tensor => a.le(b);
/** @example torch.eq(x, y); */
export const eq = (a: Tensor, b: TensorLike): Tensor => a.eq(b);
/** @example torch.indexSelect(x, 0, idx); */
export const indexSelect = (x: Tensor, dim: number, index: Tensor): Tensor =>
  x.indexSelect(dim, index);
