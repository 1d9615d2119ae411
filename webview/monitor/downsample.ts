// Every recorded step is kept; only drawing is reduced. The visible step range is cut into
// buckets about one pixel wide and each series is drawn through its minimum and maximum in
// every bucket (in the order they occur), so a single spike among a million steps still shows.
// Buckets are laid on step values, not on row indices, so several runs (an overlay) share
// one x axis. No DOM here: unit-tested in Node.

/** Where each bucket's rows start in a sorted `steps` column: bucket b holds rows [bounds[b], bounds[b+1]). */
export function bucketBounds(steps: ArrayLike<number>, grid: BucketGrid): Int32Array {
  const bounds = new Int32Array(grid.count + 1);
  let lo = 0;
  for (let b = 0; b <= grid.count; b++) {
    const edge = grid.x0 + b * grid.width;
    // Binary search from the previous bound: edges only grow.
    let hi = steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (steps[mid] < edge) lo = mid + 1;
      else hi = mid;
    }
    bounds[b] = lo;
  }
  return bounds;
}

/** Buckets of equal width over [x0, x1]. `exact`: one step per bucket, so points are drawn as they are. */
export interface BucketGrid {
  readonly x0: number;
  readonly width: number;
  readonly count: number;
  readonly exact: boolean;
}

/**
 * A grid for integer steps from x0 to x1 (inclusive) on about `pixels` pixels: one bucket
 * per step when they fit, otherwise `pixels` buckets.
 */
export function makeGrid(x0: number, x1: number, pixels: number): BucketGrid {
  const lo = Math.floor(x0);
  const span = Math.max(1, Math.floor(x1) - lo + 1);
  const px = Math.max(1, Math.floor(pixels));
  if (span <= px) return { x0: lo, width: 1, count: span, exact: true };
  return { x0: lo, width: span / px, count: px, exact: false };
}

/** The shared x values of a grid: the bucket's step when exact, else its start and middle. */
export function gridX(grid: BucketGrid): Float64Array {
  if (grid.exact) {
    const x = new Float64Array(grid.count);
    for (let b = 0; b < grid.count; b++) x[b] = grid.x0 + b;
    return x;
  }
  const x = new Float64Array(grid.count * 2);
  for (let b = 0; b < grid.count; b++) {
    x[2 * b] = grid.x0 + b * grid.width;
    x[2 * b + 1] = grid.x0 + (b + 0.5) * grid.width;
  }
  return x;
}

/**
 * One series reduced onto a grid: per bucket its min and max (earlier one first), or its only
 * value when the grid is exact; null where a bucket has no finite value. `floor` clamps values
 * below it (log scales cannot draw 0).
 */
export function reduceSeries(ys: ArrayLike<number>, bounds: Int32Array, grid: BucketGrid, floor = -Infinity): (number | null)[] {
  const per = grid.exact ? 1 : 2;
  const out: (number | null)[] = new Array(grid.count * per);
  for (let b = 0; b < grid.count; b++) {
    const from = bounds[b];
    const to = bounds[b + 1];
    let min = Infinity;
    let max = -Infinity;
    let iMin = -1;
    let iMax = -1;
    for (let i = from; i < to; i++) {
      const v = ys[i];
      // NaN fails both tests and infinities are drawn elsewhere (as markers), so only finite values enter.
      if (v < min && v > -Infinity) {
        min = v;
        iMin = i;
      }
      if (v > max && v < Infinity) {
        max = v;
        iMax = i;
      }
    }
    if (iMin < 0) {
      out[b * per] = null;
      if (per === 2) out[b * per + 1] = null;
      continue;
    }
    if (min < floor) min = floor;
    if (max < floor) max = floor;
    if (per === 1) out[b] = min;
    else if (iMin <= iMax) {
      out[2 * b] = min;
      out[2 * b + 1] = max;
    } else {
      out[2 * b] = max;
      out[2 * b + 1] = min;
    }
  }
  return out;
}

/**
 * Training steps (rows) per second at each row, over the `window` rows before it, on the
 * script's own clock. NaN for the first row. Rows before `from` are left as they are in `out`.
 */
export function stepsPerSecond(timeMs: ArrayLike<number>, window = 20, from = 0, out?: Float64Array): Float64Array {
  const n = timeMs.length;
  const r = out ?? new Float64Array(n);
  for (let i = from; i < n; i++) {
    const j = Math.max(0, i - window);
    const dt = timeMs[i] - timeMs[j];
    r[i] = i === j || dt <= 0 ? NaN : ((i - j) * 1000) / dt;
  }
  return r;
}
