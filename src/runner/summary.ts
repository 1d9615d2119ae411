// Tensor summaries: first values, finite min/max/mean, NaN/Inf counts. One pass over the
// elements in row-major order, strides honoured, no copies. A float32 tensor's numbers are
// given at float32 precision (float32-digits.ts): its mean and norm, summed in float64, as
// the float32 PyTorch would report.
import type { Tensor } from '../engine/index';
import { encodeNum, type TensorSummary } from '../protocol/messages';
import { float32Digits } from './float32-digits';

const FIRST = 6;
/** Tensors up to this many elements carry every value in flow records (NodeFlow): exact numbers for small examples. */
export const EXACT_MAX = 64;

export function summarize(t: Tensor): TensorSummary {
  return scan(t, 0).summary;
}

/** A summary with the norm over the finite elements and, up to EXACT_MAX elements, every value. */
export function summarizeExact(t: Tensor): TensorSummary {
  const { summary, norm, values } = scan(t, EXACT_MAX);
  const n = norm === null ? null : precise(t)(norm);
  return values === null ? { ...summary, norm: n } : { ...summary, norm: n, values };
}

/**
 * One pass over the elements in row-major order: the summary, the norm over the finite
 * elements (null when there are none), and every value when there are at most `keepAll`.
 */
function scan(
  t: Tensor,
  keepAll: number,
): { summary: TensorSummary; norm: number | null; values: TensorSummary['first'] | null } {
  const n = t.numel();
  const limit = n <= keepAll ? n : FIRST;
  const digits = precise(t);
  const first: TensorSummary['first'] = [];
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let finite = 0;
  let nan = 0;
  let inf = 0;
  let sq = 0;
  const data = t._data;
  const shape = t.shape;
  if (n > 0) {
    if (t.isContiguous()) {
      // The common case, run every training step on every gradient: kept as a tight loop.
      const start = t._offset;
      const end = start + n;
      for (let i = start; i < end && first.length < limit; i++)
        first.push(encodeNum(digits(data[i])));
      for (let i = start; i < end; i++) {
        const v = data[i];
        if (v - v === 0) {
          if (v < min) min = v;
          if (v > max) max = v;
          sum += v;
          sq += v * v;
          finite++;
        } else if (v !== v) nan++;
        else inf++;
      }
    } else {
      ({ min, max, sum, sq, finite, nan, inf } = stridedStats(t, limit, digits, first));
    }
  }
  const summary: TensorSummary = {
    shape: shape.slice(),
    dtype: t.dtype,
    numel: n,
    first: first.length > FIRST ? first.slice(0, FIRST) : first,
    min: finite ? digits(min) : null,
    max: finite ? digits(max) : null,
    mean: finite ? digits(sum / finite) : null,
    nanCount: nan,
    infCount: inf,
  };
  const values = keepAll > 0 && n <= keepAll ? first : null;
  return { summary, norm: finite ? Math.sqrt(sq) : null, values };
}

interface Stats {
  min: number;
  max: number;
  sum: number;
  sq: number;
  finite: number;
  nan: number;
  inf: number;
}

/** scan()'s pass over a tensor that is not contiguous, its position moved along with the index. */
function stridedStats(
  t: Tensor,
  limit: number,
  digits: (v: number) => number,
  first: TensorSummary['first'],
): Stats {
  const s: Stats = { min: Infinity, max: -Infinity, sum: 0, sq: 0, finite: 0, nan: 0, inf: 0 };
  const data = t._data;
  const shape = t.shape;
  const strides = t._strides;
  const last = shape.length - 1;
  const idx = new Array<number>(shape.length).fill(0);
  let at = t._offset;
  for (let k = 0, n = t.numel(); k < n; k++) {
    const v = data[at];
    if (first.length < limit) first.push(encodeNum(digits(v)));
    if (v !== v) s.nan++;
    else if (v === Infinity || v === -Infinity) s.inf++;
    else {
      if (v < s.min) s.min = v;
      if (v > s.max) s.max = v;
      s.sum += v;
      s.sq += v * v;
      s.finite++;
    }
    // The next index in row-major order.
    for (let d = last; d >= 0; d--) {
      at += strides[d];
      if (++idx[d] < shape[d]) break;
      at -= shape[d] * strides[d];
      idx[d] = 0;
    }
  }
  return s;
}

/** How a tensor's numbers are written: float32 ones at float32 precision, others as they are. */
function precise(t: Tensor): (v: number) => number {
  return t.dtype === 'float32' ? float32Digits : asIs;
}

function asIs(v: number): number {
  return v;
}

type FloatData = Float32Array | Float64Array;

/** The L2 norm of a tensor's elements, in one pass over its storage. */
export function gradNorm(t: Tensor): number {
  const d = contiguousFloat(t);
  return Math.sqrt(sumSquares(d));
}

/** A row-major copy of a tensor's elements. */
export function copyData(t: Tensor): FloatData {
  return contiguousFloat(t).slice();
}

function contiguousFloat(t: Tensor): FloatData {
  const n = t.numel();
  // detach(): copying a gradient that has history (createGraph) must not record a node.
  const c = t.isContiguous() ? t : t.detach().contiguous();
  const data = c._data;
  if (data instanceof Float32Array || data instanceof Float64Array)
    return data.subarray(c._offset, c._offset + n);
  return Float64Array.from(data.subarray(c._offset, c._offset + n) as ArrayLike<number>);
}

function sumSquares(d: FloatData): number {
  // Four independent sums: one chain of dependent additions would wait on each add's latency.
  // This runs on every parameter's gradient at every training step.
  let a = 0;
  let b = 0;
  let c = 0;
  let e = 0;
  const n = d.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const x = d[i];
    const y = d[i + 1];
    const z = d[i + 2];
    const w = d[i + 3];
    a += x * x;
    b += y * y;
    c += z * z;
    e += w * w;
  }
  for (; i < n; i++) a += d[i] * d[i];
  return a + b + (c + e);
}
