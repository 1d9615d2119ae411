// Plain numbers as operands: PyTorch wraps them as 0-d tensors that take the other
// operand's dtype (a float never turns a float32 tensor into float64).
import { promoteScalar, type DType } from '../dtype';
import { Tensor } from '../tensor';

export type TensorLike = Tensor | number;

// Wrapped numbers are immutable and never require grad, so one tensor per (value, dtype)
// can serve every op that uses it; the cache is small and simply cleared when full.
const caches: Record<DType, Map<number, Tensor>> = {
  float32: new Map(),
  float64: new Map(),
  int64: new Map(),
  bool: new Map(),
};

function wrapped(v: number, dtype: DType): Tensor {
  const cache = caches[dtype];
  let t = cache.get(v);
  if (t === undefined) {
    if (cache.size >= 256) cache.clear();
    t = Tensor._scalar(v, dtype);
    cache.set(v, t);
  }
  return t;
}

export function scalarLike(v: number, like: Tensor): Tensor {
  return wrapped(v, promoteScalar(like.dtype, v));
}

/** Both operands as tensors; a number adopts the other side's dtype. */
export function asPair(a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (a instanceof Tensor) return [a, b instanceof Tensor ? b : scalarLike(b, a)];
  if (b instanceof Tensor) return [scalarLike(a, b), b];
  return [wrapped(a, 'float32'), wrapped(b, 'float32')];
}
