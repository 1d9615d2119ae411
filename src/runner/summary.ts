// Tensor summaries: first values, finite min/max/mean, NaN/Inf counts. One pass over the
// elements in row-major order, strides honoured, no copies.
import type { Tensor } from '../engine/index';
import { encodeNum, type TensorSummary } from '../protocol/messages';

const FIRST = 6;

export function summarize(t: Tensor): TensorSummary {
  return summarizeWithNorm(t).summary;
}

/** The summary and the L2 norm in one pass (the training record needs both every step). */
export function summarizeWithNorm(t: Tensor): { summary: TensorSummary; norm: number } {
  const n = t.numel();
  const first: TensorSummary['first'] = [];
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  let nan = 0;
  let inf = 0;
  let sq = 0;
  const visit = (v: number): void => {
    if (first.length < FIRST) first.push(encodeNum(v));
    sq += v * v;
    if (v !== v) nan++;
    else if (v === Infinity || v === -Infinity) inf++;
    else {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      finite++;
    }
  };
  const data = t._data;
  const shape = t.shape;
  const strides = t._strides;
  if (n > 0) {
    if (t.isContiguous()) {
      for (let i = t._offset, end = t._offset + n; i < end; i++) visit(data[i]);
    } else {
      const idx = new Array<number>(shape.length).fill(0);
      for (let k = 0; k < n; k++) {
        let at = t._offset;
        for (let d = 0; d < shape.length; d++) at += idx[d] * strides[d];
        visit(data[at]);
        for (let d = shape.length - 1; d >= 0; d--) {
          if (++idx[d] < shape[d]) break;
          idx[d] = 0;
        }
      }
    }
  }
  const summary: TensorSummary = {
    shape: shape.slice(),
    dtype: t.dtype,
    numel: n,
    first,
    min: finite ? min : null,
    max: finite ? max : null,
    mean: finite ? sum / finite : null,
    nanCount: nan,
    infCount: inf,
  };
  return { summary, norm: Math.sqrt(sq) };
}
