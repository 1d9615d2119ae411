// What the monitor page is sent of the live run while it streams: new rows in batches on a
// clock, and the whole record again when the host's cap (record-cap.ts) thinned rows the page
// already has, with the note that says how the record is drawn. No `vscode` here, so the path
// from the runner's metrics to the page's messages runs in unit tests as it runs in VS Code.
import type { TrainMetric } from '../../protocol/messages';
import type { RunRecord, RunColumns, ToMonitor } from '../../protocol/monitor';
import { strideNote } from '../../protocol/stride-note';
import type { RunHistory } from './history';

/** How often batched steps are posted to the page while a run streams. */
const FLUSH_MS = 100;
/** Earlier runs of the same script sent for the overlay. */
const OVERLAY_RUNS = 3;

/** The live run as the feed follows it. */
export interface FedRun {
  readonly id: string;
  /** Only every stride-th step reaches the monitor once a loop outruns it (1: every step). */
  stride: number;
  /** Steps per bucket once the record reached its cap on rows (1: not yet). */
  width: number;
}

export class LiveFeed {
  private run: FedRun | null = null;
  /** Rows of the live run the page already has. */
  private sent = 0;
  private flushTimer: NodeJS.Timeout | null = null;

  /** `post` reaches the page only while `ready()` (the page said so and is still there). */
  constructor(
    private readonly history: RunHistory,
    private readonly post: (m: ToMonitor) => void,
    private readonly ready: () => boolean,
  ) {}

  /** A run began (already started in the history): the page gets it from its first row. */
  start(run: FedRun): void {
    this.run = run;
    this.sent = 0;
    this.replay();
  }

  /** The run ended: what it streamed last is sent before its end is told. */
  end(run: FedRun): void {
    if (this.run !== run) return;
    this.flush();
    this.run = null;
  }

  /** A batch of the runner's metrics (its `stride` when it thinned its stream). */
  metrics(run: FedRun, metrics: readonly TrainMetric[], stride: number | undefined): void {
    if (this.run !== run) return;
    const builder = this.history.current?.builder;
    const thinned = builder?.thinned;
    for (const metric of metrics) this.history.append(run.id, metric);
    const width = builder?.width ?? 1;
    if ((stride ?? run.stride) !== run.stride || width !== run.width) {
      run.stride = stride ?? run.stride;
      run.width = width;
      const note = strideNote(run.stride, width);
      this.history.setStatus(run.id, 'running', note);
      this.post({
        type: 'monitor/status',
        runId: run.id,
        status: 'running',
        message: note,
        pid: this.history.record(run.id)?.meta.pid ?? null,
      });
    }
    // Thinning moved rows the page already has: it gets the (capped) record whole again.
    if (builder?.thinned !== thinned) this.replay();
    else this.scheduleFlush();
  }

  /** Sends the whole picture: the latest run and earlier runs of its script. */
  replay(): void {
    if (!this.ready()) return;
    this.cancelFlush();
    const latest = this.history.latest();
    const current = latest === null ? null : detach(latest);
    if (this.run !== null && latest?.meta.id === this.run.id)
      this.sent = latest.columns.step.length;
    const previous =
      latest === null
        ? []
        : this.history.previous(latest.meta.script, latest.meta.id, OVERLAY_RUNS).map(detach);
    this.post({ type: 'monitor/replay', current, previous });
  }

  /** Posts the rows the page does not have yet. */
  flush(): void {
    const run = this.run;
    if (run === null || !this.ready()) return;
    const live = this.history.current;
    if (live === null || live.meta.id !== run.id) return;
    const n = live.builder.length;
    if (n <= this.sent) return;
    this.post({
      type: 'monitor/append',
      runId: run.id,
      from: this.sent,
      columns: live.builder.copy(this.sent, n),
    });
    this.sent = n;
  }

  dispose(): void {
    this.cancelFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== null || !this.ready()) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, FLUSH_MS);
  }

  private cancelFlush(): void {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }
}

/** Columns as their own buffers: a view into a larger buffer would post the whole buffer. */
function detach(r: RunRecord): RunRecord {
  const c = r.columns;
  const gradNorms: Record<string, Float64Array> = {};
  for (const k in c.gradNorms) gradNorms[k] = c.gradNorms[k].slice();
  const columns: RunColumns = {
    step: c.step.slice(),
    loss: c.loss.slice(),
    timeMs: c.timeMs.slice(),
    lr: c.lr.slice(),
    gradNorms,
  };
  return { meta: { ...r.meta }, columns };
}
