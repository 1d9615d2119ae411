// The training record on its way to the host: batched by the clock, and thinned when steps
// come faster than a monitor can use, so that neither the child nor the host buffers without
// bound. The Python tracer follows the same rules (python/gradlens/metrics.py).
import type { TrainMetric } from '../protocol/messages';

/** A batch goes out when this much time has passed since the last one, checked at every step. */
export const METRIC_FLUSH_MS = 200;
/** More steps than this within one flush interval: the stride doubles. */
export const MAX_BATCH = 1000;
/** This many steps sent at one stride: the stride doubles, so a run of any length sends a bounded-growth record. */
export const MAX_PER_STRIDE = 50_000;

export class MetricStream {
  private buffer: TrainMetric[] = [];
  private stride = 1;
  private sentAtStride = 0;
  private lastFlush = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly send: (batch: TrainMetric[], stride: number) => void) {}

  /** Whether step `k` is in the thinned stream (its metric is worth computing). */
  keeps(k: number): boolean {
    return k % this.stride === 0;
  }

  add(m: TrainMetric): void {
    this.buffer.push(m);
    if (this.buffer.length >= MAX_BATCH) this.thin();
    // A synchronous training loop never lets the timer fire, so the clock is also checked
    // here: the monitor stays live while the loop runs.
    if (performance.now() - this.lastFlush >= METRIC_FLUSH_MS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), METRIC_FLUSH_MS).unref();
  }

  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.lastFlush = performance.now();
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.sentAtStride += batch.length;
    this.send(batch, this.stride);
    if (this.sentAtStride >= MAX_PER_STRIDE) this.thin();
  }

  /** Doubles the stride; buffered steps off the new stride are dropped (a non-finite loss stays). */
  private thin(): void {
    this.stride *= 2;
    this.sentAtStride = 0;
    this.buffer = this.buffer.filter(
      (m) => m.step % this.stride === 0 || typeof m.loss === 'string',
    );
  }
}
