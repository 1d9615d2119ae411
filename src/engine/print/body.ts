// The bracketed part of a tensor's text, as PyTorch's `_tensor_str` lays it out: rows wrap
// at the line width, dimensions are separated by blank lines, and a tensor with more than
// `threshold` elements shows only `edgeitems` at each end of every dimension, with `...`.
import type { Tensor } from '../tensor';
import { elementFormatter, type ElementFormatter } from './formatter';
import type { PrintOptions } from './options';

/** Marks the `...` between the two ends of a summarized dimension. */
const ELLIPSIS = -1;

/** The indices of a dimension of `size` that are shown, ELLIPSIS where some are left out. */
function shownIndices(
  size: number,
  summarize: boolean,
  edgeitems: number,
  last: boolean,
): number[] {
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  if (!summarize || size <= 2 * edgeitems) return range(0, size);
  // Python's `x[-0:]` is all of x: with edgeitems 0 a summarized vector shows everything after `...`.
  const tailStart = last && edgeitems === 0 ? 0 : size - edgeitems;
  return [...range(0, edgeitems), ELLIPSIS, ...range(tailStart, size)];
}

/** Walks the shown elements of `t`: the shape, strides and storage offset of each sub-tensor. */
class Layout {
  constructor(
    private readonly t: Tensor,
    private readonly summarize: boolean,
    private readonly options: PrintOptions,
  ) {}

  indices(dim: number): number[] {
    const last = dim === this.t.dim() - 1;
    return shownIndices(this.t.shape[dim], this.summarize, this.options.edgeitems, last);
  }

  /** Every shown element's value (what the formatter sizes itself on). */
  values(dim = 0, offset = this.t._offset, out: number[] = []): number[] {
    if (dim === this.t.dim()) {
      out.push(this.t._data[offset]);
      return out;
    }
    for (const i of this.indices(dim)) {
      if (i !== ELLIPSIS) this.values(dim + 1, offset + i * this.t._strides[dim], out);
    }
    return out;
  }

  text(f: ElementFormatter, indent: number, dim = 0, offset = this.t._offset): string {
    const rank = this.t.dim() - dim;
    if (rank === 0) return f.format(this.t._data[offset]);
    const stride = this.t._strides[dim];
    const indices = this.indices(dim);
    if (rank === 1) {
      const items = indices.map((i) =>
        i === ELLIPSIS ? ' ...' : f.format(this.t._data[offset + i * stride]),
      );
      const perLine = Math.max(1, Math.floor((this.options.linewidth - indent) / (f.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) {
        lines.push(items.slice(i, i + perLine).join(', '));
      }
      return `[${lines.join(',\n' + ' '.repeat(indent + 1))}]`;
    }
    const slices = indices.map((i) =>
      i === ELLIPSIS ? '...' : this.text(f, indent + 1, dim + 1, offset + i * stride),
    );
    return `[${slices.join(',' + '\n'.repeat(rank - 1) + ' '.repeat(indent + 1))}]`;
  }
}

/**
 * The text of a non-empty tensor's elements, its first line starting at column `indent`.
 * @example tensorBody(torch.arange(3), 7, printOptions()); // '[0, 1, 2]'
 */
export function tensorBody(t: Tensor, indent: number, options: PrintOptions): string {
  const layout = new Layout(t, t.numel() > options.threshold, options);
  const formatter = elementFormatter(layout.values(), t.dtype, options);
  return layout.text(formatter, indent);
}
