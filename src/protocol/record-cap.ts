// A run's training record at a fixed size, so that a host holding it for hours or days holds
// flat memory. Until the cap, every step that arrives is kept. At the cap the record is
// regrouped by step into buckets of equal width, and each bucket keeps only the real rows that
// matter on a chart: its lowest loss, its highest loss (the first non-finite one if any, so a
// NaN stays where it began) and its largest gradient norm. The newest row is always kept, so
// the last step reads exactly. Rows that arrive afterwards are kept in full until the next
// cap, when the width doubles as often as it takes to fit half the cap again; so the chart
// keeps a step-uniform resolution, with the newest steps at full resolution.
// No DOM, no `vscode`: the host's monitor and the CLI's runner both use it.
import { decodeNum, type TrainMetric } from './messages';

/** Rows a run's record holds at most (the monitor draws a few thousand pixels at most). */
export const MAX_ROWS = 8192;

/** What thinning reads of a record, row by row. */
export interface RowSource {
  readonly length: number;
  step(i: number): number;
  loss(i: number): number;
  /** The largest gradient norm of the row (NaN where no parameter had one). */
  gradMax(i: number): number;
}

export interface Thinned {
  /** Indices of the rows to keep, ascending. */
  readonly keep: number[];
  /** The bucket width, in steps, that made them fit. */
  readonly width: number;
}

/** Rows to keep so that no more than `limit` remain, with the narrowest buckets from `width` up (doubling). */
export function thinRows(rows: RowSource, width: number, limit: number): Thinned {
  let w = Math.max(1, width);
  for (;;) {
    const keep = bucketPicks(rows, w);
    // Past 2^53 every step shares one bucket: a limit below its four rows cannot be met.
    if (keep.length <= limit || w >= Number.MAX_SAFE_INTEGER) return { keep, width: w };
    w *= 2;
  }
}

/** Per bucket of `width` steps: its lowest loss, highest loss and largest gradient; and the last row. */
function bucketPicks(rows: RowSource, width: number): number[] {
  const keep: number[] = [];
  const n = rows.length;
  let i = 0;
  while (i < n) {
    const bucket = Math.floor(rows.step(i) / width);
    let minLoss = -1;
    let maxLoss = -1;
    let maxGrad = -1;
    for (; i < n && Math.floor(rows.step(i) / width) === bucket; i++) {
      const loss = rows.loss(i);
      if (Number.isFinite(loss)) {
        if (minLoss < 0 || loss < rows.loss(minLoss)) minLoss = i;
        if (maxLoss < 0 || (Number.isFinite(rows.loss(maxLoss)) && loss > rows.loss(maxLoss)))
          maxLoss = i;
      } else if (maxLoss < 0 || Number.isFinite(rows.loss(maxLoss))) maxLoss = i;
      const g = rows.gradMax(i);
      if (!Number.isNaN(g) && (maxGrad < 0 || g > rows.gradMax(maxGrad))) maxGrad = i;
    }
    const picks = [minLoss, maxLoss, maxGrad].filter((k) => k >= 0).sort((a, b) => a - b);
    for (const k of picks) if (keep.at(-1) !== k) keep.push(k);
  }
  if (n > 0 && keep.at(-1) !== n - 1) keep.push(n - 1);
  return keep;
}

/**
 * The same thinning for a record kept as the runner's metrics (the CLI's): keeps in place the
 * rows that matter so that `MAX_ROWS / 2` remain, and returns the new bucket width.
 */
export function thinMetrics(metrics: TrainMetric[], width: number, maxRows = MAX_ROWS): number {
  const rows: RowSource = {
    length: metrics.length,
    step: (i) => metrics[i].step,
    loss: (i) => decodeNum(metrics[i].loss),
    gradMax: (i) => {
      let m = NaN;
      for (const v of Object.values(metrics[i].gradNorms)) {
        const g = decodeNum(v);
        if (!Number.isNaN(g) && !(g <= m)) m = g;
      }
      return m;
    },
  };
  const thinned = thinRows(rows, width, maxRows / 2);
  thinned.keep.forEach((from, to) => (metrics[to] = metrics[from]));
  metrics.length = thinned.keep.length;
  return thinned.width;
}
