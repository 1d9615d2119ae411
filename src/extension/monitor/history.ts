// The monitor's run history: the live run being recorded plus finished runs, kept per script so
// a new run can be overlaid on the earlier ones. Finished runs are written to a folder (the
// extension's workspace storage) as a small JSON header and the raw float64 columns, which keep
// NaN and infinities exactly and read back fast even at a million steps. No `vscode` here.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeNum, type TrainMetric } from '../../protocol/messages';
import { MAX_ROWS } from '../../protocol/record-cap';
import { ColumnBuilder } from '../../protocol/run-columns';
import type { RunColumns, RunMeta, RunRecord, RunStatus } from '../../protocol/monitor';

export interface HistoryLimits {
  /** Finished runs kept per script (the newest). */
  readonly perScript: number;
  /** Finished runs kept in all. */
  readonly total: number;
  /** Rows a run keeps at most (record-cap.ts): a run of any length holds flat memory. */
  readonly rowsPerRun: number;
}

const DEFAULT_LIMITS: HistoryLimits = { perScript: 5, total: 40, rowsPerRun: MAX_ROWS };
const HEADER_VERSION = 1;

interface StoredHeader {
  version: number;
  meta: RunMeta;
  rows: number;
  /** Parameter names, in the order their columns follow step, loss, timeMs, lr in the data file. */
  params: string[];
}

export interface LiveRun {
  readonly meta: RunMeta;
  readonly builder: ColumnBuilder;
}

export class RunHistory {
  private live: LiveRun | null = null;
  /** Finished runs, oldest first; columns are read from disk on first use. */
  private finished: { meta: RunMeta; columns: RunColumns | null }[] = [];
  private seq = 0;
  private readonly limits: HistoryLimits;

  /** `dir` null: keep everything in memory only (no workspace storage). */
  constructor(
    private readonly dir: string | null,
    limits: Partial<HistoryLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    if (dir !== null) this.load(dir);
  }

  /** Starts recording a run; a run still live is closed as stopped first. */
  start(script: string, startedAt = Date.now()): LiveRun {
    if (this.live !== null) this.finish(this.live.meta.id, 'stopped', 'superseded by a new run');
    const id = `${startedAt.toString(36)}-${(this.seq++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.live = {
      meta: { id, script, startedAt, status: 'running', message: null, pid: null },
      builder: new ColumnBuilder(1024, this.limits.rowsPerRun),
    };
    return this.live;
  }

  get current(): LiveRun | null {
    return this.live;
  }

  /** Records one metric of the live run with id `runId`; false if that run is not live. */
  append(runId: string, m: TrainMetric): boolean {
    if (this.live === null || this.live.meta.id !== runId) return false;
    const gradNorms: Record<string, number> = {};
    for (const name in m.gradNorms) gradNorms[name] = decodeNum(m.gradNorms[name]);
    this.live.builder.append({
      step: m.step,
      loss: decodeNum(m.loss),
      timeMs: m.timeMs,
      lr: m.lr ?? NaN,
      gradNorms,
    });
    return true;
  }

  setStatus(runId: string, status: RunStatus, message: string | null = null): void {
    const meta = this.find(runId);
    if (meta === null) return;
    meta.status = status;
    meta.message = message;
  }

  setPid(runId: string, pid: number): void {
    const meta = this.find(runId);
    if (meta !== null) meta.pid = pid;
  }

  /** Ends the live run, stores it, and prunes old runs. */
  finish(runId: string, status: RunStatus, message: string | null): void {
    const live = this.live;
    if (live === null || live.meta.id !== runId) return;
    this.live = null;
    live.meta.status = status;
    live.meta.message = message;
    live.meta.pid = null;
    const columns = live.builder.copy();
    this.finished.push({ meta: live.meta, columns });
    if (this.dir !== null) this.write(this.dir, live.meta, columns);
    this.prune();
  }

  /** A run as a record: the live one (views of its growing columns) or a finished one. */
  record(runId: string): RunRecord | null {
    if (this.live?.meta.id === runId)
      return { meta: this.live.meta, columns: this.live.builder.view() };
    const f = this.finished.find((r) => r.meta.id === runId);
    if (f === undefined) return null;
    f.columns ??= this.read(f.meta.id);
    return f.columns === null ? null : { meta: f.meta, columns: f.columns };
  }

  /** The live run, or else the newest finished one: what the monitor shows when it opens. */
  latest(): RunRecord | null {
    if (this.live !== null) return this.record(this.live.meta.id);
    const last = this.finished.at(-1);
    return last === undefined ? null : this.record(last.meta.id);
  }

  /** Finished runs of `script` other than `exceptId`, newest first, at most `max`. */
  previous(script: string, exceptId: string | null, max = this.limits.perScript): RunRecord[] {
    const out: RunRecord[] = [];
    for (let i = this.finished.length - 1; i >= 0 && out.length < max; i--) {
      const f = this.finished[i];
      if (f.meta.script !== script || f.meta.id === exceptId) continue;
      const r = this.record(f.meta.id);
      if (r !== null) out.push(r);
    }
    return out;
  }

  private find(runId: string): RunMeta | null {
    if (this.live?.meta.id === runId) return this.live.meta;
    return this.finished.find((r) => r.meta.id === runId)?.meta ?? null;
  }

  private prune(): void {
    const keep = new Set<string>();
    const perScript = new Map<string, number>();
    for (let i = this.finished.length - 1; i >= 0; i--) {
      const m = this.finished[i].meta;
      const n = perScript.get(m.script) ?? 0;
      if (n < this.limits.perScript && keep.size < this.limits.total) {
        keep.add(m.id);
        perScript.set(m.script, n + 1);
      }
    }
    const dropped = this.finished.filter((r) => !keep.has(r.meta.id));
    this.finished = this.finished.filter((r) => keep.has(r.meta.id));
    if (this.dir !== null) {
      for (const r of dropped) {
        rmSync(path.join(this.dir, `${r.meta.id}.json`), { force: true });
        rmSync(path.join(this.dir, `${r.meta.id}.f64`), { force: true });
      }
    }
  }

  private write(dir: string, meta: RunMeta, c: RunColumns): void {
    const params = Object.keys(c.gradNorms);
    const rows = c.step.length;
    const data = new Float64Array(rows * (4 + params.length));
    [c.step, c.loss, c.timeMs, c.lr, ...params.map((p) => c.gradNorms[p])].forEach((col, k) =>
      data.set(col, k * rows),
    );
    const header: StoredHeader = { version: HEADER_VERSION, meta, rows, params };
    mkdirSync(dir, { recursive: true });
    // Data first: a header without its data would be a run that cannot be read.
    writeFileSync(path.join(dir, `${meta.id}.f64`), new Uint8Array(data.buffer));
    writeFileSync(path.join(dir, `${meta.id}.json`), JSON.stringify(header));
  }

  private read(id: string): RunColumns | null {
    if (this.dir === null) return null;
    try {
      const header = JSON.parse(
        readFileSync(path.join(this.dir, `${id}.json`), 'utf8'),
      ) as StoredHeader;
      const bytes = readFileSync(path.join(this.dir, `${id}.f64`));
      const n = header.rows;
      if (bytes.byteLength !== n * (4 + header.params.length) * 8) return null;
      // Copy into an aligned buffer: Buffer slices of the pool may start at any byte offset.
      const data = new Float64Array(new Uint8Array(bytes).buffer);
      const col = (k: number): Float64Array => data.subarray(k * n, (k + 1) * n);
      const gradNorms: Record<string, Float64Array> = {};
      header.params.forEach((p, k) => (gradNorms[p] = col(4 + k)));
      return { step: col(0), loss: col(1), timeMs: col(2), lr: col(3), gradNorms };
    } catch {
      return null;
    }
  }

  private load(dir: string): void {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    const metas: RunMeta[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      try {
        const h = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Partial<StoredHeader>;
        if (
          h.version === HEADER_VERSION &&
          typeof h.meta?.id === 'string' &&
          typeof h.meta.script === 'string'
        )
          metas.push(h.meta);
      } catch {
        // A damaged header loses that one run, not the history.
      }
    }
    metas.sort((a, b) => a.startedAt - b.startedAt);
    this.finished = metas.map((meta) => ({ meta, columns: null }));
  }
}
