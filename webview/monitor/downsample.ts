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

/** Rows per block of a BlockIndex. */
export const BLOCK = 64;

/**
 * Finite min and max (and where they are) of every 64-row block of a column, so reducing a
 * bucket of thousands of rows reads a few dozen block entries instead of every row. Kept up to
 * date incrementally: only the blocks touched by new rows are recomputed.
 */
export class BlockIndex {
  private min = new Float64Array(16);
  private max = new Float64Array(16);
  private minAt = new Int32Array(16);
  private maxAt = new Int32Array(16);
  private rows = 0;

  /** Indexes `ys` (its first `n` rows); rows already indexed are assumed unchanged. */
  update(ys: ArrayLike<number>, n = ys.length): this {
    const blocks = Math.ceil(n / BLOCK);
    if (blocks > this.min.length) this.grow(blocks);
    for (let b = Math.floor(this.rows / BLOCK); b < blocks; b++) {
      let min = Infinity,
        max = -Infinity,
        iMin = -1,
        iMax = -1;
      const end = Math.min(n, (b + 1) * BLOCK);
      for (let i = b * BLOCK; i < end; i++) {
        const v = ys[i];
        if (v < min && v > -Infinity) {
          min = v;
          iMin = i;
        }
        if (v > max && v < Infinity) {
          max = v;
          iMax = i;
        }
      }
      this.min[b] = min;
      this.max[b] = max;
      this.minAt[b] = iMin;
      this.maxAt[b] = iMax;
    }
    this.rows = n;
    return this;
  }

  get length(): number {
    return this.rows;
  }

  /** Finite min/max of rows [from, to) into `acc`, reading whole blocks from the index. */
  scan(ys: ArrayLike<number>, from: number, to: number, acc: Extremes): void {
    let i = from;
    const headEnd = Math.min(to, Math.ceil(from / BLOCK) * BLOCK);
    for (; i < headEnd; i++) acc.add(ys[i], i);
    for (; i + BLOCK <= to && i + BLOCK <= this.rows; i += BLOCK) {
      const b = i / BLOCK;
      if (this.minAt[b] < 0) continue;
      acc.add(this.min[b], this.minAt[b]);
      acc.add(this.max[b], this.maxAt[b]);
    }
    for (; i < to; i++) acc.add(ys[i], i);
  }

  private grow(blocks: number): void {
    const cap = Math.max(blocks, this.min.length * 2);
    const f = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const g = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.min = f(this.min);
    this.max = f(this.max);
    this.minAt = g(this.minAt);
    this.maxAt = g(this.maxAt);
  }
}

/** Running finite min and max of a bucket and the rows they came from. */
export class Extremes {
  min = Infinity;
  max = -Infinity;
  iMin = -1;
  iMax = -1;

  reset(): void {
    this.min = Infinity;
    this.max = -Infinity;
    this.iMin = -1;
    this.iMax = -1;
  }

  add(v: number, i: number): void {
    // NaN fails both tests and infinities are flagged elsewhere, so only finite values enter.
    // Ties keep the earliest row, so the result does not depend on how a range was split.
    if (v < this.min && v > -Infinity) {
      this.min = v;
      this.iMin = i;
    }
    if (v > this.max && v < Infinity) {
      this.max = v;
      this.iMax = i;
    }
  }
}

/**
 * One series reduced onto a grid: per bucket its min and max (earlier one first), or its only
 * value when the grid is exact; null where a bucket has no finite value. `floor` clamps values
 * below it (log scales cannot draw 0). With `index` (a BlockIndex of `ys`), whole blocks are
 * read from the index rather than row by row; the result is the same.
 */
export function reduceSeries(
  ys: ArrayLike<number>,
  bounds: Int32Array,
  grid: BucketGrid,
  floor = -Infinity,
  index?: BlockIndex,
): (number | null)[] {
  const per = grid.exact ? 1 : 2;
  const out = new Array<number | null>(grid.count * per);
  const acc = new Extremes();
  for (let b = 0; b < grid.count; b++) {
    acc.reset();
    if (index !== undefined) index.scan(ys, bounds[b], bounds[b + 1], acc);
    else for (let i = bounds[b]; i < bounds[b + 1]; i++) acc.add(ys[i], i);
    if (acc.iMin < 0) {
      out[b * per] = null;
      if (per === 2) out[b * per + 1] = null;
      continue;
    }
    const min = acc.min < floor ? floor : acc.min;
    const max = acc.max < floor ? floor : acc.max;
    if (per === 1) out[b] = min;
    else if (acc.iMin <= acc.iMax) {
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
 * Training steps per second at each row, over the `window` rows before it, on the script's own
 * clock. Counted in steps, not rows: a thinned record (a stride, or the host's cap on rows)
 * has fewer rows than steps. NaN for the first row. Rows before `from` are left as they are in `out`.
 */
export function stepsPerSecond(
  step: ArrayLike<number>,
  timeMs: ArrayLike<number>,
  window = 20,
  from = 0,
  out?: Float64Array,
): Float64Array {
  const n = timeMs.length;
  const r = out ?? new Float64Array(n);
  for (let i = from; i < n; i++) {
    const j = Math.max(0, i - window);
    const dt = timeMs[i] - timeMs[j];
    r[i] = i === j || dt <= 0 ? NaN : ((step[i] - step[j]) * 1000) / dt;
  }
  return r;
}
