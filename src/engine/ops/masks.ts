// Masking ops of attention: the lower and upper triangles (`tril`, `triu`) and `maskedFill`.
import type { DType } from '../dtype';
import { broadcastShapes, wrapDim } from '../shape';
import type { Tensor } from '../tensor';
import { binaryKernel, contiguousData, fromStorage } from './kernels';
import { apply, type Primitive } from './op';
import { sumTo } from './reduce';

export interface DiagonalArgs {
  readonly k: number;
}

/** Keeps the elements of each matrix (the last two dims) where `keep(col - row)` holds. */
function triangle(
  name: string,
  keep: (offset: number, k: number) => boolean,
): Primitive<DiagonalArgs> {
  const self: Primitive<DiagonalArgs> = {
    name,
    arity: 1,
    forward: ([a], { k }) => {
      const src = contiguousData(a);
      const out = src.slice();
      const cols = a.shape[a.dim() - 1];
      const rows = a.shape[a.dim() - 2];
      for (let p = 0; p < out.length; p++) {
        const col = p % cols;
        const row = Math.floor(p / cols) % rows;
        if (!keep(col - row, k)) out[p] = 0;
      }
      return fromStorage(out, a.shape.slice(), a.dtype);
    },
    backward: (g, { args }) => [apply(self, [g], args)],
  };
  return self;
}

export const Tril = triangle('TrilBackward0', (offset, k) => offset <= k);
export const Triu = triangle('TriuBackward0', (offset, k) => offset >= k);

export function triangular(x: Tensor, k: number, upper: boolean): Tensor {
  if (x.dim() < 2) wrapDim(-2, x.dim());
  return apply(upper ? Triu : Tril, [x], { k });
}

export interface MaskArgs {
  readonly mask: Tensor;
  readonly value: number;
}

/** `value` where the mask is true; the mask broadcasts, as in PyTorch's out-of-place form. */
export const MaskedFill: Primitive<MaskArgs> = {
  name: 'MaskedFillBackward0',
  arity: 1,
  forward: ([a], { mask, value }) =>
    binaryKernel(a, mask, a.dtype, (x, m) => (m !== 0 ? value : x)),
  backward: (g, { shapes, args: { mask } }) => [sumTo(g.maskedFill(mask, 0), shapes[0])],
};

/** How PyTorch's TypeMeta names a dtype in messages. */
const typeMetaName: Record<DType, string> = {
  float32: 'float',
  float64: 'double',
  int64: 'long int',
  bool: 'bool',
};

export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  if (mask.dtype !== 'bool') {
    throw new Error(
      `masked_fill_ only supports boolean masks, but got mask with dtype ${typeMetaName[mask.dtype]}`,
    );
  }
  broadcastShapes(x.shape, mask.shape);
  return apply(MaskedFill, [x], { mask, value });
}
