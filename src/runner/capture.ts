// Graph capture inside the runner child. Cheap by default: the node-created hook is only
// installed while a full capture is armed (before the first backward(), before the N-th
// with --at N, after a request from the host), so ordinary training steps pay for one
// metric record and nothing else.
import * as torch from '../engine/index';
import { Tensor } from '../engine/index';
import { limitSnapshot } from '../graph/collapse';
import { isFlagged } from '../graph/labels';
import type {
  Anomaly,
  GraphNode,
  GraphSnapshot,
  RunOptions,
  SourceLocation,
  TensorSummary,
  TrainMetric,
} from '../protocol/messages';
import { encodeNum } from '../protocol/messages';
import { asName, callOperands, engineNamespaces } from './names';
import { currentUserLocation } from './stack';
import { MetricStream } from './metric-stream';
import { copyData, gradNorm, summarize } from './summary';

type Node = torch.autograd.Node;
type Trigger = GraphSnapshot['trigger'];

export interface CaptureSink {
  snapshot(s: GraphSnapshot): void;
  /** A batch of the training record; `stride` > 1 once only every stride-th step is kept. */
  metrics(m: TrainMetric[], stride: number): void;
  /** The backward() at the stopAfter line was captured: end the run. */
  stop(): void;
}

/** What the node-created hook leaves in `node.metadata` while armed. */
interface Meta {
  loc?: SourceLocation | null;
  modules?: string[];
  calls?: number[];
  out?: Tensor;
}

/** A capture in progress: structure and values taken before backward, gradients after. */
interface Pending {
  index: number;
  trigger: Trigger;
  roots: Tensor[];
  callSite: SourceLocation | null;
  order: Node[];
  ids: Map<Node, string>;
  consumer: Map<Node, { node: Node; slot: number }>;
  grads: Map<Node, TensorSummary>;
  hooks: { remove(): void }[];
  values: Map<Node, TensorSummary | null>;
  leafValues: Map<Node, TensorSummary>;
  saved: Map<Node, TensorSummary[]>;
  rootValues: TensorSummary[];
}

/** With captureAt 'last', at most this many backward() calls are captured in full before the graphs repeat. */
const MAX_AUTO_CAPTURES = 20;

export class Capture {
  private count = 0;
  private requested = false;
  private armed = false;
  private flaggedNonFinite = false;
  private readonly rootModules = new Set<torch.nn.Module>();
  private last: {
    index: number;
    trigger: Trigger;
    roots: Tensor[];
    callSite: SourceLocation | null;
  } | null = null;
  private lastFullIndex = 0;
  private template: {
    names: string[];
    locs: (SourceLocation | null)[];
    modules: string[][];
    calls: number[][];
    callSite: SourceLocation | null;
  } | null = null;
  /** Two consecutive full captures had the same structure: the script is in a loop. */
  private repeating = false;
  /** Names given to leaves by full captures, and their column order in the training record. */
  private readonly leafNames = new WeakMap<Tensor, string>();
  private readonly rank = new Map<string, number>();
  private readonly interned = new Map<string, number>();
  private lastSig = NaN;
  /** Copies of each named gradient as of the step that produced it, for rebuilding the last graph. */
  /**
   * Each parameter's gradient as of its last backward, for the graph rebuilt at the end.
   * Kept by reference: the optimizer's zeroGrad drops a gradient rather than changing it, so
   * a copy is needed only when the next backward is about to accumulate into the same tensor.
   */
  private lastGrads = new Map<
    Tensor,
    { grad: Tensor; version: number; copy: Float32Array | Float64Array | null; step: number }
  >();
  private pendingMetric: TrainMetric | null = null;
  private readonly metrics: MetricStream;
  private readonly started = performance.now();
  private readonly onNode = (node: Node, output: Tensor): void => {
    const md = node.metadata as Meta;
    md.loc = currentUserLocation();
    md.modules = torch.nn.currentModulePath();
    md.calls = torch.nn._activeModuleCalls().slice();
    md.out = output;
    const active = torch.nn._activeModules();
    if (active.length > 0) this.rootModules.add(active[0]);
  };

  constructor(
    private readonly options: RunOptions,
    private readonly sink: CaptureSink,
  ) {
    this.metrics = new MetricStream((batch, stride) => sink.metrics(batch, stride));
  }

  get backwardCount(): number {
    return this.count;
  }

  /**
   * Wraps backward() and autograd.grad, hooks the optimizer, arms the first capture, and
   * returns the engine object the user's `import 'gradlens'` should receive.
   */
  install(): typeof torch {
    const self = this;
    const backward = Tensor.prototype.backward;
    Tensor.prototype.backward = function (this: Tensor, ...args: Parameters<Tensor['backward']>) {
      self.around('backward', [this], () => backward.apply(this, args));
    };
    const grad = torch.autograd.grad;
    const wrappedGrad: typeof grad = (outputs, inputs, opts) =>
      self.around(
        'autograd.grad',
        Array.isArray(outputs) ? outputs : [outputs],
        () => grad(outputs, inputs, opts),
        Array.isArray(inputs) ? inputs : [inputs],
      );
    torch.optim.Optimizer.onStep = (opt) => this.onStep(opt.paramGroups[0]?.lr ?? null);
    this.setArmed(this.shouldCapture(1));
    // The namespace object is frozen; the user gets a copy whose autograd.grad is wrapped.
    return { ...torch, autograd: { ...torch.autograd, grad: wrappedGrad } } as typeof torch;
  }

  /** The host asked for a full capture of the next backward(). */
  request(): void {
    this.requested = true;
    this.setArmed(true);
  }

  /** Sends what is still pending: the last backward's graph (if not yet captured) and metrics. */
  finish(): void {
    if (
      this.options.captureAt === 'last' &&
      this.last !== null &&
      this.last.index > this.lastFullIndex
    ) {
      const p = this.begin(
        this.last.index,
        this.last.trigger,
        this.last.roots,
        this.last.callSite,
        false,
      );
      this.sink.snapshot(this.complete(p, null, null, false));
    }
    this.flushMetric();
    this.metrics.flush();
    torch._setNodeCreatedHook(null);
  }

  private shouldCapture(k: number): boolean {
    const at = this.options.captureAt;
    if (k === 1 || at === 'all' || at === k || this.requested) return true;
    // For 'last', capture in full until the graphs start repeating (a training loop); the
    // last one is then rebuilt at the end from the repeating template.
    return at === 'last' && !this.repeating && k <= MAX_AUTO_CAPTURES;
  }

  private setArmed(on: boolean): void {
    if (on === this.armed) return;
    this.armed = on;
    torch._setNodeCreatedHook(on ? this.onNode : null);
  }

  private around<R>(trigger: Trigger, roots: Tensor[], run: () => R, inputs: Tensor[] = []): R {
    const k = ++this.count;
    this.flushMetric();
    this.protectKeptGrads();
    const scalar = trigger === 'backward' && roots.length === 1 && roots[0].numel() === 1;
    const loss = scalar ? readScalar(roots[0]) : NaN;
    const nonFinite = scalar && !Number.isFinite(loss);
    const full = this.shouldCapture(k) || (nonFinite && !this.flaggedNonFinite);
    const callSite = full || this.options.stopAfter !== null ? currentUserLocation() : null;
    let pending: Pending | null = null;
    if (full) {
      this.requested = false;
      pending = this.begin(k, trigger, roots, callSite, true);
    }
    let result: R;
    try {
      result = run();
    } finally {
      if (pending !== null) for (const h of pending.hooks) h.remove();
    }
    if (pending !== null) {
      const snap = this.complete(
        pending,
        trigger === 'autograd.grad' ? inputs : null,
        result as unknown,
      );
      if (snap.anomalies.length > 0) this.flaggedNonFinite = true;
      this.lastFullIndex = k;
      this.sink.snapshot(snap);
    }
    // A cheap walk of this graph's structure every step: when it changes (a new model, a new
    // phase of the script), the next backward is captured in full again.
    const shape = structure(roots, this.interned);
    if (pending === null && shape.sig !== this.lastSig) {
      this.requested = true;
      this.repeating = false;
    }
    this.lastSig = shape.sig;
    if (scalar) {
      // The rebuild of this graph at the end shows these gradients, since the script may zero
      // or overwrite them before then; norms only for the steps the stream keeps.
      const kept = this.metrics.keeps(k) || nonFinite;
      const gradNorms: Record<string, ReturnType<typeof encodeNum>> = {};
      for (const [name, p] of this.namedLeaves(shape.leaves)) {
        if (p.grad === null) continue;
        if (kept) gradNorms[name] = encodeNum(gradNorm(p.grad));
        this.lastGrads.set(p, { grad: p.grad, version: p.grad._version, copy: null, step: k });
      }
      if (kept)
        this.pendingMetric = {
          step: k,
          loss: encodeNum(loss),
          timeMs: performance.now() - this.started,
          gradNorms,
          lr: null,
        };
    }
    this.last = { index: k, trigger, roots, callSite };
    // A non-finite loss not yet explained: capture the next step in full to name the op.
    if (nonFinite && this.lastFullIndex === k && !this.hasPreciseAnomaly) this.requested = true;
    this.setArmed(this.shouldCapture(k + 1));
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

  private hasPreciseAnomaly = false;

  /** The last step's named leaves, kept while a training loop passes the same leaves and no capture renames them. */
  private named: { leaves: Tensor[]; named: [string, Tensor][] } | null = null;

  /** The leaves that have names, in parameter order. */
  private namedLeaves(leaves: Tensor[]): [string, Tensor][] {
    const last = this.named;
    if (
      last !== null &&
      last.leaves.length === leaves.length &&
      last.leaves.every((t, i) => t === leaves[i])
    ) {
      return last.named;
    }
    const named: [string, Tensor][] = [];
    for (const t of leaves) {
      const name = this.leafNames.get(t);
      if (name !== undefined) named.push([name, t]);
    }
    named.sort((x, y) => (this.rank.get(x[0]) ?? Infinity) - (this.rank.get(y[0]) ?? Infinity));
    this.named = { leaves, named };
    return named;
  }

  private keptGrad(v: Tensor, step: number): TensorSummary | null {
    const g = this.lastGrads.get(v);
    if (g === undefined || g.step !== step) return null;
    if (g.copy !== null)
      return {
        ...summarize(torch.tensor(g.copy, { dtype: g.grad.dtype })),
        shape: g.grad.shape.slice(),
      };
    return g.grad._version === g.version ? summarize(g.grad) : null;
  }

  /** Before a backward accumulates into a kept gradient in place, copy what it was. */
  private protectKeptGrads(): void {
    for (const [p, g] of this.lastGrads) {
      if (g.copy === null && p.grad === g.grad) g.copy = copyData(g.grad);
    }
  }

  private onStep(lr: number | null): void {
    if (this.pendingMetric !== null) {
      this.pendingMetric.lr = lr;
      this.flushMetric();
    }
  }

  private flushMetric(): void {
    if (this.pendingMetric === null) return;
    this.metrics.add(this.pendingMetric);
    this.pendingMetric = null;
  }

  /** Walks everything reachable from the roots and records values before backward frees them. */
  private begin(
    index: number,
    trigger: Trigger,
    roots: Tensor[],
    callSite: SourceLocation | null,
    live: boolean,
  ): Pending {
    const p: Pending = {
      index,
      trigger,
      roots,
      callSite,
      order: [],
      ids: new Map(),
      consumer: new Map(),
      grads: new Map(),
      hooks: [],
      values: new Map(),
      leafValues: new Map(),
      saved: new Map(),
      rootValues: roots.map(summarize),
    };
    const visit = (n: Node | null, from: Node | null, slot: number): void => {
      if (n === null) return;
      if (!p.ids.has(n)) {
        p.ids.set(n, `n${p.order.length}`);
        p.order.push(n);
        if (from !== null) p.consumer.set(n, { node: from, slot });
      }
    };
    for (const r of roots) visit(rootNode(r), null, 0);
    for (let i = 0; i < p.order.length; i++) {
      const n = p.order[i];
      n.nextFunctions.forEach(([m], slot) => visit(m, n, slot));
      if (n instanceof torch.autograd.AccumulateGrad) {
        p.leafValues.set(n, summarize(n.variable));
        continue;
      }
      const md = n.metadata as Meta;
      p.values.set(n, md.out !== undefined ? summarize(md.out) : null);
      if (this.options.savedTensors || !live) p.saved.set(n, n.savedTensors().map(summarize));
      if (live) p.hooks.push(n.registerPrehook((g) => void p.grads.set(n, summarize(g))));
    }
    return p;
  }

  /** Gradients are in: build the snapshot, name its leaves, find NaN/Inf, apply the size limit. */
  private complete(
    p: Pending,
    gradInputs: Tensor[] | null,
    gradResult: unknown,
    live = true,
  ): GraphSnapshot {
    const params = new Map<Tensor, string>();
    for (const m of this.rootModules)
      for (const [name, t] of m.namedParameters()) if (!params.has(t)) params.set(t, name);
    const returned = new Map<Tensor, TensorSummary>();
    if (gradInputs !== null && Array.isArray(gradResult)) {
      gradInputs.forEach((t, i) => {
        const g = (gradResult as (Tensor | null)[])[i];
        if (g instanceof Tensor) returned.set(t, summarize(g));
      });
    }
    const nodes: GraphNode[] = [];
    const namesSeq: string[] = [];
    const same =
      this.template !== null &&
      p.order.length === this.template.names.length &&
      p.order.every((n, i) => n.name() === this.template!.names[i]);
    if (same && (p.order[0]?.metadata as Meta | undefined)?.loc != null) this.repeating = true;
    const template = same ? this.template : null;
    const locs = p.order.map((n, i) => (n.metadata as Meta).loc ?? template?.locs[i] ?? null);
    const mods = p.order.map((n, i) => (n.metadata as Meta).modules ?? template?.modules[i] ?? []);
    const calls = p.order.map((n, i) => (n.metadata as Meta).calls ?? template?.calls[i] ?? []);
    const callSite = p.callSite ?? template?.callSite ?? null;
    p.order.forEach((n, i) => {
      const id = p.ids.get(n)!;
      const via = p.consumer.get(n);
      const viaIndex = via === undefined ? -1 : Number(p.ids.get(via.node)!.slice(1));
      const isAcc = n instanceof torch.autograd.AccumulateGrad;
      // A leaf's location and module are those of the op that consumed it.
      const location = isAcc ? (viaIndex >= 0 ? locs[viaIndex] : null) : locs[i];
      const modulePath = isAcc ? (viaIndex >= 0 ? mods[viaIndex] : []) : mods[i];
      namesSeq.push(n.name());
      nodes.push({
        id,
        kind: n instanceof torch.autograd.AccumulateGrad ? 'accumulate' : 'function',
        name: n.name(),
        next: n.nextFunctions.map(([m, inputNr]) =>
          m === null ? null : { id: p.ids.get(m)!, inputNr },
        ),
        value: p.values.get(n) ?? null,
        grad: p.grads.get(n) ?? null,
        location,
        modulePath,
        ...(isAcc || calls[i].length === 0 ? {} : { moduleCalls: calls[i] }),
        attachedTo: null,
        sequenceNr: n instanceof torch.autograd.AccumulateGrad ? -1 : n.sequenceNr,
      });
      if (n instanceof torch.autograd.AccumulateGrad) {
        const v = n.variable;
        const g = live
          ? (returned.get(v) ?? (gradInputs === null && v.grad !== null ? summarize(v.grad) : null))
          : this.keptGrad(v, p.index);
        nodes.push({
          id: `${id}:leaf`,
          kind: 'leaf',
          name:
            params.get(v) ??
            (via === undefined || viaIndex < 0
              ? null
              : leafName(via.node, via.slot, locs[viaIndex])) ??
            '',
          next: [],
          value: p.leafValues.get(n) ?? summarize(v),
          grad: g,
          location,
          modulePath,
          attachedTo: id,
          sequenceNr: -1,
        });
      } else if (this.options.savedTensors) {
        (p.saved.get(n) ?? []).forEach((s, j) => {
          nodes.push({
            id: `${id}:saved${j}`,
            kind: 'saved',
            name: `saved ${j}`,
            next: [],
            value: s,
            grad: null,
            location: null,
            modulePath,
            attachedTo: id,
            sequenceNr: -1,
          });
        });
      }
    });
    const outName = outputName(callSite);
    const outputs: string[] = [];
    p.roots.forEach((r, i) => {
      const owner = rootNode(r);
      const id = `out${i}`;
      outputs.push(id);
      nodes.push({
        id,
        kind: 'output',
        name: p.roots.length === 1 ? outName : `${outName}[${i}]`,
        next: [],
        value: p.rootValues[i],
        grad: owner === null ? null : (p.grads.get(owner) ?? null),
        location: callSite,
        modulePath: [],
        attachedTo: owner === null ? null : (p.ids.get(owner) ?? null),
        sequenceNr: -1,
      });
    });
    if (p.order.some((n) => (n.metadata as Meta).loc != null))
      this.template = { names: namesSeq, locs, modules: mods, calls, callSite };
    const named = nodes.filter((n) => n.kind === 'leaf' && n.name !== '');
    const seen = new Set<string>();
    const tracked: [string, Tensor][] = [];
    for (const leaf of named) {
      const acc = p.order[Number(leaf.attachedTo!.slice(1))] as torch.autograd.AccumulateGrad;
      if (!seen.has(leaf.name)) {
        seen.add(leaf.name);
        tracked.push([leaf.name, acc.variable]);
      }
    }
    // Parameters in the model's own order (fc1.weight, fc1.bias, ...), other leaves after.
    const rank = new Map([...params.values()].map((name, i) => [name, i]));
    tracked.sort((x, y) => (rank.get(x[0]) ?? rank.size) - (rank.get(y[0]) ?? rank.size));
    for (const [name, t] of tracked) {
      this.leafNames.set(t, name);
      if (!this.rank.has(name)) this.rank.set(name, this.rank.size);
    }
    this.named = null; // names may have changed: sort the named leaves again

    const snapshot: GraphSnapshot = {
      index: p.index,
      trigger: p.trigger,
      nodes,
      outputs,
      anomalies: this.anomalies(nodes, p),
      collapsed: false,
      detail:
        live && p.order.some((n) => (n.metadata as Meta).out !== undefined) ? 'full' : 'light',
    };
    return limitSnapshot(snapshot, this.options.maxNodes);
  }

  private anomalies(nodes: GraphNode[], p: Pending): Anomaly[] {
    const out: Anomaly[] = [];
    const where = (n: GraphNode): string =>
      n.location === null ? '' : ` at ${n.location.file}:${n.location.line}:${n.location.column}`;
    const kindOf = (t: TensorSummary): 'nan' | 'inf' => (t.nanCount > 0 ? 'nan' : 'inf');
    const word = (k: 'nan' | 'inf'): string => (k === 'nan' ? 'NaN' : 'Inf');
    const fns = nodes
      .filter((n) => n.kind === 'function')
      .sort((a, b) => a.sequenceNr - b.sequenceNr);
    const badLeaf = nodes.find(
      (n) => n.kind === 'leaf' && n.value !== null && isFlagged({ ...n, grad: null }),
    );
    if (badLeaf !== undefined) {
      const k = kindOf(badLeaf.value!);
      out.push({
        kind: k,
        where: 'value',
        nodeId: badLeaf.id,
        message: `leaf ${badLeaf.name || '(unnamed)'} already contains ${word(k)}`,
      });
    }
    const firstValue = fns.find(
      (n) => n.value !== null && (n.value.nanCount > 0 || n.value.infCount > 0),
    );
    if (firstValue !== undefined) {
      const k = kindOf(firstValue.value!);
      this.hasPreciseAnomaly = true;
      out.push({
        kind: k,
        where: 'value',
        nodeId: firstValue.id,
        message: `${firstValue.name}${where(firstValue)} is the first op that produced ${word(k)}`,
      });
    } else if (badLeaf === undefined) {
      // Light capture: no op outputs were recorded; the first op whose saved inputs hold a
      // non-finite value is the earliest evidence.
      for (const n of p.order) {
        const saved = p.saved.get(n);
        const bad = saved?.find((s) => s.nanCount > 0 || s.infCount > 0);
        if (bad === undefined) continue;
        const node = nodes.find((x) => x.id === p.ids.get(n))!;
        const k = kindOf(bad);
        out.push({
          kind: k,
          where: 'value',
          nodeId: node.id,
          message: `${word(k)} first seen in what ${node.name}${where(node)} saved for backward (the next full capture names the op that produced it)`,
        });
        break;
      }
      const root = p.rootValues.find((v) => v.nanCount > 0 || v.infCount > 0);
      if (out.length === 0 && root !== undefined) {
        out.push({
          kind: kindOf(root),
          where: 'value',
          nodeId: p.roots.length ? 'out0' : '',
          message: `the output is ${word(kindOf(root))}`,
        });
      }
    }
    const gradOrder = nodes
      .filter((n) => n.kind === 'function')
      .sort((a, b) => b.sequenceNr - a.sequenceNr);
    const firstGrad = gradOrder.find(
      (n) => n.grad !== null && (n.grad.nanCount > 0 || n.grad.infCount > 0),
    );
    if (firstGrad !== undefined) {
      const k = kindOf(firstGrad.grad!);
      out.push({
        kind: k,
        where: 'grad',
        nodeId: firstGrad.id,
        message: `the gradient reaching ${firstGrad.name}${where(firstGrad)} is the first with ${word(k)}`,
      });
    }
    return out.filter((a) => a.nodeId !== '');
  }
}

function rootNode(t: Tensor): Node | null {
  if (t.gradFn !== null) return t.gradFn;
  return t.requiresGrad ? t._accumulateGrad() : null;
}

function readScalar(t: Tensor): number {
  return t._data[t._offset] as number;
}

function sameFile(a: string, b: string): boolean {
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

function leafName(consumer: Node, slot: number, loc: SourceLocation | null): string | null {
  if (loc === null) return null;
  const ops = callOperands(loc, engineNamespaces(loc.file));
  if (ops === null) return null;
  // Only tensor operands occupy nextFunctions slots; when a call also took numbers, the
  // slot count and operand count differ and only an unambiguous match is trusted.
  const tensors = ops.filter((o) => !/^[-+\d.e]+$/.test(o));
  const n = consumer.nextFunctions.length;
  const pick = ops.length === n ? ops[slot] : tensors.length === n ? tensors[slot] : undefined;
  const name = asName(pick);
  return name === null ? null : name.replace(/^this\./, '');
}

function outputName(callSite: SourceLocation | null): string {
  if (callSite === null) return 'output';
  return asName(callOperands(callSite, engineNamespaces(callSite.file))?.[0]) ?? 'output';
}

/** A hash of the graph's node names in walk order, and its leaves; no allocation per node beyond the walk. */
function structure(
  roots: Tensor[],
  interned: Map<string, number>,
): { sig: number; leaves: Tensor[] } {
  const seen = new Set<Node>();
  const queue: Node[] = [];
  const leaves: Tensor[] = [];
  for (const r of roots) {
    const n = rootNode(r);
    if (n !== null && !seen.has(n)) {
      seen.add(n);
      queue.push(n);
    }
  }
  let sig = 17;
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i];
    const name = n.name();
    let code = interned.get(name);
    if (code === undefined) interned.set(name, (code = interned.size + 1));
    sig = (Math.imul(sig, 31) + code) | 0;
    if (n instanceof torch.autograd.AccumulateGrad) leaves.push(n.variable);
    // `_edge`, not `nextFunctions`: this walk runs every step and must not allocate pairs.
    for (let e = 0, count = n._edgeCount; e < count; e++) {
      const m = n._edge(e);
      if (m !== null && !seen.has(m)) {
        seen.add(m);
        queue.push(m);
      }
    }
  }
  return { sig: (Math.imul(sig, 31) + queue.length) | 0, leaves };
}
