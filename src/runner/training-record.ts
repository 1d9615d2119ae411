// The training monitor's side of the capture: one metric per backward() on a scalar (loss,
// named gradients' norms, the optimizer's lr), and each named gradient as of the step that
// produced it, so the last graph can be rebuilt at the end with the gradients it had.
import * as torch from '../engine/index';
import type { Tensor } from '../engine/index';
import { encodeNum, type TensorSummary, type TrainMetric } from '../protocol/messages';
import { MetricStream } from './metric-stream';
import { copyData, gradNorm, summarize } from './summary';

interface KeptGrad {
  grad: Tensor;
  version: number;
  copy: Float32Array | Float64Array | null;
  step: number;
}

export class TrainingRecord {
  private readonly stream: MetricStream;
  private readonly started = performance.now();
  private pending: TrainMetric | null = null;
  /**
   * Each parameter's gradient as of its last backward, for the graph rebuilt at the end.
   * Kept by reference: the optimizer's zeroGrad drops a gradient rather than changing it, so
   * a copy is needed only when the next backward is about to accumulate into the same tensor.
   */
  private readonly kept = new Map<Tensor, KeptGrad>();

  constructor(send: (batch: TrainMetric[], stride: number) => void) {
    this.stream = new MetricStream(send);
  }

  /** Before a backward: the previous step's metric goes out, and kept gradients it would change are copied. */
  beforeBackward(): void {
    this.flushPending();
    for (const [p, g] of this.kept) {
      if (g.copy === null && p.grad === g.grad) g.copy = copyData(g.grad);
    }
  }

  /**
   * After a backward on a scalar: keep the named leaves' gradients, and record the step's
   * metric when the stream keeps it (or the loss is not finite); norms only then.
   */
  afterScalarBackward(
    step: number,
    loss: number,
    named: [string, Tensor][],
    forceKeep: boolean,
  ): void {
    const keep = this.stream.keeps(step) || forceKeep;
    const gradNorms: TrainMetric['gradNorms'] = {};
    for (const [name, p] of named) {
      if (p.grad === null) continue;
      if (keep) gradNorms[name] = encodeNum(gradNorm(p.grad));
      this.kept.set(p, { grad: p.grad, version: p.grad._version, copy: null, step });
    }
    if (keep)
      this.pending = {
        step,
        loss: encodeNum(loss),
        timeMs: performance.now() - this.started,
        gradNorms,
        lr: null,
      };
  }

  /** The optimizer stepped: its learning rate belongs to the pending step. */
  onStep(lr: number | null): void {
    if (this.pending !== null) {
      this.pending.lr = lr;
      this.flushPending();
    }
  }

  /** A leaf's gradient as it was right after backward #step, or null when it is not known. */
  gradAt(v: Tensor, step: number): TensorSummary | null {
    const g = this.kept.get(v);
    if (g === undefined || g.step !== step) return null;
    if (g.copy !== null)
      return {
        ...summarize(torch.tensor(g.copy, { dtype: g.grad.dtype })),
        shape: g.grad.shape.slice(),
      };
    return g.grad._version === g.version ? summarize(g.grad) : null;
  }

  /** Sends everything still held. */
  finish(): void {
    this.flushPending();
    this.stream.flush();
  }

  private flushPending(): void {
    if (this.pending === null) return;
    this.stream.add(this.pending);
    this.pending = null;
  }
}
