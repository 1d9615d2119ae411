// A growing run record: one typed array per column, doubled when full, so a million steps
// cost a few dozen reallocations and no per-step objects. Used by the host (fed by the
// runner's metrics) and by the page (fed by the host's batches). No DOM, no `vscode`.
import type { RunColumns } from './monitor';
import { thinRows, type RowSource } from './record-cap';

/** One step with its numbers already decoded (NaN where a value is missing). */
export interface StepRow {
  readonly step: number;
  readonly loss: number;
  readonly timeMs: number;
  readonly lr: number;
  readonly gradNorms: Readonly<Record<string, number>>;
}

export class ColumnBuilder {
  private n = 0;
  private cap: number;
  private step: Float64Array;
  private loss: Float64Array;
  private timeMs: Float64Array;
  private lr: Float64Array;
  private norms = new Map<string, Float64Array>();
  private bucketWidth = 1;
  private thinnings = 0;

  /**
   * `maxRows`: append() thins the record (record-cap.ts) to half of it whenever a step would
   * go past it, so it never holds more rows; the host's live run has one, the page mirrors it.
   */
  constructor(
    capacity = 1024,
    private readonly maxRows = Infinity,
  ) {
    this.cap = Math.max(16, Math.min(capacity, maxRows));
    this.step = new Float64Array(this.cap);
    this.loss = new Float64Array(this.cap);
    this.timeMs = new Float64Array(this.cap);
    this.lr = new Float64Array(this.cap);
  }

  /** Rebuilds a builder from whole columns (a replay, or a run read back from disk). */
  static from(columns: RunColumns): ColumnBuilder {
    const b = new ColumnBuilder(columns.step.length);
    b.appendColumns(columns);
    return b;
  }

  get length(): number {
    return this.n;
  }

  get paramNames(): string[] {
    return [...this.norms.keys()];
  }

  /** Steps per bucket of the thinned part of the record (1 until it was first thinned). */
  get width(): number {
    return this.bucketWidth;
  }

  /** How often the record was thinned: rows already read may have moved when this changes. */
  get thinned(): number {
    return this.thinnings;
  }

  append(row: StepRow): void {
    if (this.n >= this.maxRows) this.thin();
    this.reserve(this.n + 1);
    const i = this.n;
    this.step[i] = row.step;
    this.loss[i] = row.loss;
    this.timeMs[i] = row.timeMs;
    this.lr[i] = row.lr;
    for (const name in row.gradNorms) this.normColumn(name)[i] = row.gradNorms[name];
    // A parameter without a gradient at this step reads as NaN, not as the stale 0 of a new slot.
    for (const [name, col] of this.norms) if (!(name in row.gradNorms)) col[i] = NaN;
    this.n = i + 1;
  }

  /** Appends rows given column-wise; every column must be as long as `step`. */
  appendColumns(c: RunColumns): void {
    const k = c.step.length;
    for (const [name, col] of [
      ['loss', c.loss],
      ['timeMs', c.timeMs],
      ['lr', c.lr],
      ...Object.entries(c.gradNorms),
    ] as const) {
      if (col.length !== k) throw new Error(`column ${name} has ${col.length} rows, step has ${k}`);
    }
    this.reserve(this.n + k);
    const at = this.n;
    this.step.set(c.step, at);
    this.loss.set(c.loss, at);
    this.timeMs.set(c.timeMs, at);
    this.lr.set(c.lr, at);
    for (const name in c.gradNorms) this.normColumn(name).set(c.gradNorms[name], at);
    for (const [name, col] of this.norms) if (!(name in c.gradNorms)) col.fill(NaN, at, at + k);
    this.n = at + k;
  }

  /** Views of the filled rows (no copy: valid until the next append). */
  view(): RunColumns {
    return this.slice(0, this.n, false);
  }

  /** Rows [from, to) as copies, safe to post or keep. */
  copy(from = 0, to = this.n): RunColumns {
    return this.slice(from, to, true);
  }

  private slice(from: number, to: number, copy: boolean): RunColumns {
    const cut = (a: Float64Array): Float64Array =>
      copy ? a.slice(from, to) : a.subarray(from, to);
    const gradNorms: Record<string, Float64Array> = {};
    for (const [name, col] of this.norms) gradNorms[name] = cut(col);
    return {
      step: cut(this.step),
      loss: cut(this.loss),
      timeMs: cut(this.timeMs),
      lr: cut(this.lr),
      gradNorms,
    };
  }

  /** Keeps the rows that matter on a chart (record-cap.ts), the newest among them. */
  private thin(): void {
    const norms = [...this.norms.values()];
    const rows: RowSource = {
      length: this.n,
      step: (i) => this.step[i],
      loss: (i) => this.loss[i],
      gradMax: (i) => {
        let m = NaN;
        for (const col of norms) if (!Number.isNaN(col[i]) && !(col[i] <= m)) m = col[i];
        return m;
      },
    };
    const { keep, width } = thinRows(rows, this.bucketWidth, this.maxRows / 2);
    // Ascending indices, each at or after its destination: compacting in place is safe.
    for (const col of [this.step, this.loss, this.timeMs, this.lr, ...norms])
      keep.forEach((from, to) => (col[to] = col[from]));
    this.n = keep.length;
    this.bucketWidth = width;
    this.thinnings++;
  }

  private normColumn(name: string): Float64Array {
    let col = this.norms.get(name);
    if (col === undefined) {
      col = new Float64Array(this.cap);
      // Steps before this parameter first had a gradient.
      col.fill(NaN, 0, this.n);
      this.norms.set(name, col);
    }
    return col;
  }

  private reserve(size: number): void {
    if (size <= this.cap) return;
    let cap = this.cap;
    while (cap < size) cap *= 2;
    cap = Math.max(size, Math.min(cap, this.maxRows));
    const grow = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.step = grow(this.step);
    this.loss = grow(this.loss);
    this.timeMs = grow(this.timeMs);
    this.lr = grow(this.lr);
    for (const [name, col] of this.norms) this.norms.set(name, grow(col));
    this.cap = cap;
  }
}
