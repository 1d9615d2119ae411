// PyTorch's `x.T` and `x.mT` properties, composed from permute and transpose as PyTorch
// composes them (so they record PermuteBackward0 and TransposeBackward0).
import type { Tensor } from '../tensor';
import { warnOnce } from '../warn';

const T_DEPRECATED =
  'The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.';

/** All dims reversed; PyTorch warns (once) below or above two dims. */
export function numpyT(x: Tensor): Tensor {
  const n = x.dim();
  if (n !== 2 && n !== 0) warnOnce(T_DEPRECATED);
  return x.permute(...Array.from({ length: n }, (_, i) => n - 1 - i));
}

/** The last two dims swapped. */
export function matrixT(x: Tensor): Tensor {
  if (x.dim() < 2)
    throw new Error(
      `tensor.mT is only supported on matrices or batches of matrices. Got ${x.dim()}-D tensor.`,
    );
  return x.transpose(-2, -1);
}
