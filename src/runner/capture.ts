// Graph capture inside the runner child: wraps backward() and autograd.grad and, around each
// call, lets its parts do their work: the policy decides whether the call is captured in
// full (capture-policy.ts), the graph capture builds the snapshot (graph-capture.ts), the
// training record keeps the monitor's metrics (training-record.ts), and leaf names found by
// full captures label the metrics of the steps between them (leaf-names.ts).
import * as torch from '../engine/index';
import { Tensor } from '../engine/index';
import type { GraphSnapshot, RunOptions, SourceLocation, TrainMetric } from '../protocol/messages';
import { CapturePolicy } from './capture-policy';
import { GraphCapture, type Pending, type Trigger } from './graph-capture';
import { LeafNames } from './leaf-names';
import { installLeafSites, recordLeafSites } from './leaf-sites';
import { currentUserLocation } from './stack';
import { structure } from './structure';
import { TrainingRecord } from './training-record';

export interface CaptureSink {
  snapshot(s: GraphSnapshot): void;
  /** A batch of the training record; `stride` > 1 once only every stride-th step is kept. */
  metrics(m: TrainMetric[], stride: number): void;
  /** The backward() at the stopAfter line was captured: end the run. */
  stop(): void;
}

/** The last backward() call, rebuilt at the end of the run when it was not captured in full. */
interface LastCall {
  index: number;
  trigger: Trigger;
  roots: Tensor[];
  callSite: SourceLocation | null;
}

export class Capture {
  private count = 0;
  private last: LastCall | null = null;
  private readonly interned = new Map<string, number>();
  private readonly names = new LeafNames();
  private readonly record: TrainingRecord;
  private readonly graph: GraphCapture;
  private readonly policy: CapturePolicy;

  constructor(
    private readonly options: RunOptions,
    private readonly sink: CaptureSink,
  ) {
    this.record = new TrainingRecord((batch, stride) => sink.metrics(batch, stride));
    this.graph = new GraphCapture(options, this.names, (v, step) => this.record.gradAt(v, step));
    this.policy = new CapturePolicy(options.captureAt, (on) => {
      torch._setNodeCreatedHook(on ? this.graph.onNode : null);
      // Leaves made while no full capture is armed are not drawn with their names: a loop
      // that makes one each step pays for the stack walk only where it is captured.
      recordLeafSites(on);
    });
  }

  get backwardCount(): number {
    return this.count;
  }

  /**
   * Wraps backward() and autograd.grad, hooks the optimizer, notes where leaves are made
   * (they are named after the variable they were assigned to), arms the first capture, and
   * returns the engine object the user's `import 'gradlens'` should receive.
   */
  install(): typeof torch {
    type BackwardArgs = Parameters<Tensor['backward']>;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- applied to each tensor below
    const backward = Tensor.prototype.backward;
    const around = (t: Tensor, args: BackwardArgs): void => {
      this.around('backward', [t], () => backward.apply(t, args));
    };
    Tensor.prototype.backward = function (this: Tensor, ...args: BackwardArgs) {
      around(this, args);
    };
    const grad = torch.autograd.grad;
    const wrappedGrad: typeof grad = (outputs, inputs, opts) =>
      this.around(
        'autograd.grad',
        Array.isArray(outputs) ? outputs : [outputs],
        () => grad(outputs, inputs, opts),
        Array.isArray(inputs) ? inputs : [inputs],
      );
    torch.optim.Optimizer.onStep = (opt) => this.record.onStep(opt.paramGroups[0]?.lr ?? null);
    installLeafSites();
    this.policy.armFor(1);
    // The namespace object is frozen; the user gets a copy whose autograd.grad is wrapped.
    return { ...torch, autograd: { ...torch.autograd, grad: wrappedGrad } };
  }

  /** The host asked for a full capture of the next backward(). */
  request(): void {
    this.policy.request();
  }

  /** Sends what is still pending: the last backward's graph (if not yet captured) and metrics. */
  finish(): void {
    const last = this.last;
    if (
      this.options.captureAt === 'last' &&
      last !== null &&
      last.index > this.policy.lastFullIndex
    ) {
      const p = this.graph.begin(last.index, last.trigger, last.roots, last.callSite, false);
      this.sink.snapshot(this.graph.complete(p, null, null).snapshot);
    }
    this.record.finish();
    torch._setNodeCreatedHook(null);
    recordLeafSites(false);
  }

  private around<R>(trigger: Trigger, roots: Tensor[], run: () => R, inputs: Tensor[] = []): R {
    const k = ++this.count;
    this.record.beforeBackward();
    const scalar = trigger === 'backward' && roots.length === 1 && roots[0].numel() === 1;
    const loss = scalar ? readScalar(roots[0]) : NaN;
    const nonFinite = scalar && !Number.isFinite(loss);
    const full = this.policy.takesFull(k, nonFinite);
    const callSite = full || this.options.stopAfter !== null ? currentUserLocation() : null;
    const pending = full ? this.graph.begin(k, trigger, roots, callSite, true) : null;
    const result = pending === null ? run() : this.graph.during(pending, run);
    if (pending !== null)
      this.sendFull(pending, trigger === 'autograd.grad' ? inputs : null, result);
    const shape = structure(roots, this.interned);
    // The rebuild of this graph at the end shows these gradients, since the script may zero
    // or overwrite them before then.
    if (scalar)
      this.record.afterScalarBackward(k, loss, this.names.namedLeaves(shape.leaves), nonFinite);
    this.last = { index: k, trigger, roots, callSite };
    this.policy.after(k, shape.sig, full, nonFinite);
    const stop = this.options.stopAfter;
    if (
      stop !== null &&
      callSite !== null &&
      callSite.line === stop.line &&
      sameFile(callSite.file, stop.file)
    )
      this.sink.stop();
    return result;
  }

  private sendFull(pending: Pending, gradInputs: Tensor[] | null, result: unknown): void {
    const done = this.graph.complete(pending, gradInputs, result);
    const { snapshot } = done;
    this.policy.captured(
      pending.index,
      snapshot.anomalies.length > 0,
      done.preciseAnomaly,
      done.repeats,
    );
    this.sink.snapshot(snapshot);
  }
}

function readScalar(t: Tensor): number {
  return t._data[t._offset];
}

function sameFile(a: string, b: string): boolean {
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}
