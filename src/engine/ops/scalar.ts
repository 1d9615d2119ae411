// Plain numbers as operands: PyTorch wraps them as 0-d tensors that take the other
// operand's dtype (a float never turns a float32 tensor into float64).
import { promoteScalar } from '../dtype';
import { Tensor } from '../tensor';

export type TensorLike = Tensor | number;

export function scalarLike(v: number, like: Tensor): Tensor {
  const dtype = promoteScalar(like.dtype, v);
  return Tensor._scalar(v, dtype);
}

/** Both operands as tensors; a number adopts the other side's dtype. */
export function asPair(a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (a instanceof Tensor) return [a, b instanceof Tensor ? b : scalarLike(b, a)];
  if (b instanceof Tensor) return [scalarLike(a, b), b];
  return [Tensor._scalar(a, 'float32'), Tensor._scalar(b, 'float32')];
}
