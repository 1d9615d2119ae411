// torch.multinomial on PyTorch 1.13's CPU stream (without MKL). Samples without replacement
// take the exponential trick: q ~ Exp(1) for every entry, then the top n of p / q. Samples
// with replacement (even one) search a normalised cumulative distribution with one uniform
// double each.
import { isFloating, scalarTypeName } from './dtype';
import { contiguousData, fromStorage } from './ops/kernels';
import { exponentialUnit, uniformDouble } from './random';
import type { Tensor } from './tensor';

function checkDistribution(probs: Tensor, numSamples: number, replacement: boolean): void {
  if (!isFloating(probs.dtype))
    throw new Error(
      `multinomial only supports floating-point dtypes for input, got: ${scalarTypeName(probs.dtype)}`,
    );
  if (probs.dim() !== 1 && probs.dim() !== 2) throw new Error('prob_dist must be 1 or 2 dim');
  if (!Number.isInteger(numSamples) || numSamples <= 0)
    throw new Error('cannot sample n_sample <= 0 samples');
  if (!replacement && numSamples > probs.shape[probs.dim() - 1])
    throw new Error('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
}

/** The row's `n` largest p / q, q ~ Exp(1) drawn in row order: PyTorch's argmax or topk. */
function exponentialPicks(
  row: ArrayLike<number>,
  n: number,
  round: (x: number) => number,
): number[] {
  const keys = Array.from(row, (p) => round(p / round(exponentialUnit())));
  const order = keys.map((_, j) => j);
  // Largest first; equal keys keep the lower index first, as argmax does.
  order.sort((i, j) => keys[j] - keys[i] || i - j);
  return order.slice(0, n);
}

/** `n` draws with replacement by binary search of the row's normalised cumulative sums. */
function cumulativePicks(
  row: ArrayLike<number>,
  n: number,
  round: (x: number) => number,
): number[] {
  const cum = new Array<number>(row.length);
  let sum = 0;
  for (let j = 0; j < row.length; j++) {
    sum = round(sum + row[j]);
    cum[j] = sum;
  }
  for (let j = 0; j < row.length; j++) cum[j] = round(cum[j] / sum);
  cum[row.length - 1] = 1;
  const picks: number[] = [];
  for (let s = 0; s < n; s++) {
    const u = uniformDouble(0, 1);
    let left = 0;
    let right = row.length;
    while (right > left) {
      const mid = left + ((right - left) >> 1);
      if (cum[mid] < u) left = mid + 1;
      else right = mid;
    }
    picks.push(left);
  }
  return picks;
}

/** A row's weights checked as PyTorch checks them: each sampling path has its own words. */
function checkRow(row: ArrayLike<number>, replacement: boolean): void {
  let sum = 0;
  for (let j = 0; j < row.length; j++) {
    const p = row[j];
    if (!replacement && (!Number.isFinite(p) || p < 0))
      throw new Error('probability tensor contains either `inf`, `nan` or element < 0');
    // NaN fails this test first, as in PyTorch's loop.
    if (!(p >= 0))
      throw new Error('invalid multinomial distribution (encountering probability entry < 0)');
    if (!Number.isFinite(p))
      throw new Error(
        'invalid multinomial distribution (encountering probability entry = infinity or NaN)',
      );
    sum += p;
  }
  if (!(sum > 0)) throw new Error('invalid multinomial distribution (sum of probabilities <= 0)');
}

/**
 * `numSamples` category indices per row of `probs` (weights, not necessarily summing to 1),
 * int64, as PyTorch's CPU `torch.multinomial` draws them under `manualSeed`.
 * @example const ix = torch.multinomial(probs, 1, true).item(); // sample the next character
 */
export function multinomial(probs: Tensor, numSamples: number, replacement = false): Tensor {
  checkDistribution(probs, numSamples, replacement);
  const categories = probs.shape[probs.dim() - 1];
  const rows = probs.dim() === 2 ? probs.shape[0] : 1;
  const data = contiguousData(probs);
  const round = probs.dtype === 'float32' ? Math.fround : (x: number) => x;
  const rowOf = (r: number) => data.subarray(r * categories, (r + 1) * categories);
  for (let r = 0; r < rows; r++) checkRow(rowOf(r), replacement);
  const pick = replacement ? cumulativePicks : exponentialPicks;
  const picks: number[] = [];
  for (let r = 0; r < rows; r++) picks.push(...pick(rowOf(r), numSamples, round));
  const shape = probs.dim() === 2 ? [rows, numSamples] : [numSamples];
  return fromStorage(Int32Array.from(picks), shape, 'int64');
}
