// Builds a graph snapshot: structure and values are taken before backward (which frees what
// nodes saved), gradients after. While armed, the engine's node-created hook leaves each
// node's source location, module path and output in its metadata.
import * as torch from '../engine/index';
import { Tensor } from '../engine/index';
import { limitSnapshot } from '../graph/collapse';
import type {
  GraphNode,
  GraphSnapshot,
  NodeFlow,
  RunOptions,
  SourceLocation,
  TensorSummary,
} from '../protocol/messages';
import { findAnomalies } from './anomalies';
import { FlowRecorder, recordsFlow } from './flow-recorder';
import { leafName, outputName, type LeafNames } from './leaf-names';
import { createdName } from './leaf-sites';
import { createdNodeLocation } from './stack';
import { rootNode } from './structure';
import { summarize } from './summary';
import { nameIntermediates } from './var-names';

type Node = torch.autograd.Node;
export type Trigger = GraphSnapshot['trigger'];

/** What the node-created hook leaves in `node.metadata` while armed. */
interface Meta {
  loc?: SourceLocation | null;
  modules?: string[];
  calls?: number[];
  out?: Tensor;
}

/** A capture in progress: structure and values taken before backward, gradients after. */
export interface Pending {
  index: number;
  trigger: Trigger;
  roots: Tensor[];
  callSite: SourceLocation | null;
  /** Taken while the script runs (hooks record gradients), not rebuilt at the end of the run. */
  live: boolean;
  /** Every node reachable from the roots, breadth first; the i-th is graph node `n${i}`. */
  order: Node[];
  indexOf: Map<Node, number>;
  /** The node that first led to each node, and which of its inputs that was (leaves are named after it). */
  consumer: Map<Node, { at: number; slot: number }>;
  grads: Map<Node, TensorSummary>;
  hooks: { remove(): void }[];
  values: Map<Node, TensorSummary | null>;
  leafValues: Map<Node, TensorSummary>;
  saved: Map<Node, TensorSummary[]>;
  rootValues: TensorSummary[];
  /** Records the backward's flow when the run's flow policy asks for it (live captures only). */
  flow: FlowRecorder | null;
}

/** Where each engine node came from, from its metadata or, for a repeating graph, the template. */
interface Origins {
  locs: (SourceLocation | null)[];
  modules: string[][];
  calls: number[][];
  callSite: SourceLocation | null;
}

/** The last full capture's node names and origins, for a light capture of the same graph. */
interface Template extends Origins {
  names: string[];
}

export interface Completed {
  snapshot: GraphSnapshot;
  /** The graph has the structure of the previous full capture (the script is in a loop). */
  repeats: boolean;
  /** An op's own output was seen producing NaN/Inf. */
  preciseAnomaly: boolean;
}

export class GraphCapture {
  private readonly rootModules = new Set<torch.nn.Module>();
  private template: Template | null = null;

  /** The engine's node-created hook while a full capture is armed. */
  readonly onNode = (node: Node, output: Tensor): void => {
    const md = node.metadata as Meta;
    md.loc = createdNodeLocation(node.name(), torch._notifyNodeCreated);
    md.modules = torch.nn.currentModulePath();
    md.calls = torch.nn._activeModuleCalls().slice();
    md.out = output;
    const active = torch.nn._activeModules();
    if (active.length > 0) this.rootModules.add(active[0]);
  };

  constructor(
    private readonly options: RunOptions,
    private readonly names: LeafNames,
    /** A leaf's gradient as of backward #step, for graphs rebuilt at the end of the run. */
    private readonly gradAt: (leaf: Tensor, step: number) => TensorSummary | null,
  ) {}

  /** Walks everything reachable from the roots and records values before backward frees them. */
  begin(
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
      live,
      order: [],
      indexOf: new Map(),
      consumer: new Map(),
      grads: new Map(),
      hooks: [],
      values: new Map(),
      leafValues: new Map(),
      saved: new Map(),
      rootValues: roots.map(summarize),
      flow: null,
    };
    const visit = (n: Node | null, from: number, slot: number): void => {
      if (n === null || p.indexOf.has(n)) return;
      p.indexOf.set(n, p.order.length);
      p.order.push(n);
      if (from >= 0) p.consumer.set(n, { at: from, slot });
    };
    for (const r of roots) visit(rootNode(r), -1, 0);
    // `_edge`, not `nextFunctions`: a 10,000-node graph would allocate a pair for every edge.
    for (let i = 0; i < p.order.length; i++) {
      const n = p.order[i];
      for (let slot = 0, count = n._edgeCount; slot < count; slot++) visit(n._edge(slot), i, slot);
    }
    if (live && recordsFlow(this.options.flow, p.order.length)) p.flow = new FlowRecorder();
    for (const n of p.order) {
      if (n instanceof torch.autograd.AccumulateGrad) {
        p.leafValues.set(n, summarize(n.variable));
        continue;
      }
      const md = meta(n);
      p.values.set(n, md.out !== undefined ? summarize(md.out) : null);
      if (this.options.savedTensors || !live) p.saved.set(n, n.savedTensors().map(summarize));
      // The flow record holds the gradient each node received; without it, a hook takes it.
      if (live && p.flow === null)
        p.hooks.push(n.registerPrehook((g) => void p.grads.set(n, summarize(g))));
    }
    return p;
  }

  /** Runs the backward of a pending capture with its hooks and flow recorder in place. */
  during<R>(p: Pending, run: () => R): R {
    if (p.flow !== null) torch._setBackwardObserver(p.flow);
    try {
      return run();
    } finally {
      for (const h of p.hooks) h.remove();
      if (p.flow !== null) {
        torch._setBackwardObserver(null);
        p.flow.finish(p.trigger === 'backward');
      }
    }
  }

  /**
   * Gradients are in: build the snapshot, name its leaves, find NaN/Inf, apply the size
   * limit. `gradInputs`/`gradResult`: autograd.grad's inputs and what it returned.
   */
  complete(p: Pending, gradInputs: Tensor[] | null, gradResult: unknown): Completed {
    const params = this.parameterNames();
    const returned = returnedGrads(gradInputs, gradResult);
    const template = this.matchingTemplate(p);
    const repeats = template !== null && p.order.length > 0 && meta(p.order[0]).loc != null;
    const origins = originsOf(p, template);
    const leafGrad = (v: Tensor): TensorSummary | null =>
      p.live
        ? (returned.get(v) ?? (gradInputs === null && v._grad !== null ? summarize(v._grad) : null))
        : this.gradAt(v, p.index);
    const varNames = intermediateNames(p, origins);
    const nodes: GraphNode[] = [];
    p.order.forEach((n, i) => {
      nodes.push(...this.nodesFor(p, i, origins, params, leafGrad, varNames));
    });
    nodes.push(...outputNodes(p, origins.callSite));
    if (p.order.some((n) => meta(n).loc != null))
      this.template = { names: p.order.map((n) => n.name()), ...origins };
    this.names.remember(namedLeaves(p, nodes), params);

    const found = findAnomalies(nodes, p);
    const snapshot: GraphSnapshot = {
      index: p.index,
      trigger: p.trigger,
      nodes,
      outputs: p.roots.map((_, i) => `out${i}`),
      anomalies: found.anomalies,
      collapsed: false,
      detail: p.live && p.order.some((n) => meta(n).out !== undefined) ? 'full' : 'light',
      ...(p.flow === null ? {} : { flowRecorded: true }),
    };
    return {
      snapshot: limitSnapshot(snapshot, this.options.maxNodes),
      repeats,
      preciseAnomaly: found.precise,
    };
  }

  /** Parameter names of every module the script ran at the top level (first name wins). */
  private parameterNames(): Map<Tensor, string> {
    const params = new Map<Tensor, string>();
    for (const m of this.rootModules)
      for (const [name, t] of m.namedParameters()) if (!params.has(t)) params.set(t, name);
    return params;
  }

  private matchingTemplate(p: Pending): Template | null {
    const t = this.template;
    const same =
      t !== null &&
      p.order.length === t.names.length &&
      p.order.every((n, i) => n.name() === t.names[i]);
    return same ? t : null;
  }

  /** The graph node of the i-th engine node in walk order, with its leaf or saved tensors. */
  private nodesFor(
    p: Pending,
    i: number,
    o: Origins,
    params: Map<Tensor, string>,
    leafGrad: (v: Tensor) => TensorSummary | null,
    varNames: Map<Node, string>,
  ): GraphNode[] {
    const n = p.order[i];
    const varName = varNames.get(n);
    const id = `n${i}`;
    const via = p.consumer.get(n);
    const isAcc = n instanceof torch.autograd.AccumulateGrad;
    // A leaf's location and module are those of the op that consumed it.
    const location = isAcc ? (via === undefined ? null : o.locs[via.at]) : o.locs[i];
    const modulePath = isAcc ? (via === undefined ? [] : o.modules[via.at]) : o.modules[i];
    const out: GraphNode[] = [
      {
        id,
        kind: isAcc ? 'accumulate' : 'function',
        name: n.name(),
        next: edgesOf(p, n),
        value: p.values.get(n) ?? null,
        grad: isAcc ? null : gradReceived(p, n),
        location,
        modulePath,
        ...(isAcc || o.calls[i].length === 0 ? {} : { moduleCalls: o.calls[i] }),
        attachedTo: null,
        sequenceNr: isAcc ? -1 : n.sequenceNr,
        ...flowOf(p, n),
        ...(varName === undefined ? {} : { varName }),
      },
    ];
    if (n instanceof torch.autograd.AccumulateGrad) {
      const v = n.variable;
      out.push({
        id: `${id}:leaf`,
        kind: 'leaf',
        name:
          params.get(v) ??
          createdName(v) ??
          (via === undefined ? null : leafName(p.order[via.at], via.slot, o.locs[via.at])) ??
          '',
        next: [],
        value: p.leafValues.get(n) ?? summarize(v),
        grad: leafGrad(v),
        location,
        modulePath,
        attachedTo: id,
        sequenceNr: -1,
      });
    } else if (this.options.savedTensors) {
      (p.saved.get(n) ?? []).forEach((s, j) => {
        out.push({
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
    return out;
  }
}

/** Variable names of the function nodes' outputs, read from the source (see var-names.ts). */
function intermediateNames(p: Pending, o: Origins): Map<Node, string> {
  const candidates = p.order.flatMap((node, i) => {
    if (node instanceof torch.autograd.AccumulateGrad) return [];
    const via = p.consumer.get(node);
    const consumer =
      via === undefined ? null : { node: p.order[via.at], slot: via.slot, loc: o.locs[via.at] };
    return [{ node, loc: o.locs[i], consumer }];
  });
  return nameIntermediates(candidates);
}

/** The gradient that reached a function node in this backward, null where none did. */
function gradReceived(p: Pending, n: Node): TensorSummary | null {
  if (p.flow === null) return p.grads.get(n) ?? null;
  return p.flow.flows.get(n)?.gradOutputs[0] ?? null;
}

function flowOf(p: Pending, n: Node): { flow?: NodeFlow } {
  const flow = p.flow?.flows.get(n);
  return flow === undefined ? {} : { flow };
}

function meta(n: Node): Meta {
  return n.metadata;
}

/** A node's `nextFunctions` as graph edges, read without allocating the engine's pairs. */
function edgesOf(p: Pending, n: Node): GraphNode['next'] {
  const next: GraphNode['next'] = [];
  for (let i = 0, count = n._edgeCount; i < count; i++) {
    const m = n._edge(i);
    next.push(m === null ? null : { id: idOf(p, m), inputNr: n._edgeNr(i) });
  }
  return next;
}

/** The graph node id of an engine node of this capture. */
function idOf(p: Pending, n: Node): string {
  const i = p.indexOf.get(n);
  if (i === undefined) throw new Error(`${n.name()} is not part of the captured graph`);
  return `n${i}`;
}

function originsOf(p: Pending, template: Template | null): Origins {
  return {
    locs: p.order.map((n, i) => meta(n).loc ?? template?.locs[i] ?? null),
    modules: p.order.map((n, i) => meta(n).modules ?? template?.modules[i] ?? []),
    calls: p.order.map((n, i) => meta(n).calls ?? template?.calls[i] ?? []),
    callSite: p.callSite ?? template?.callSite ?? null,
  };
}

/** What autograd.grad returned for each of its inputs. */
function returnedGrads(
  gradInputs: Tensor[] | null,
  gradResult: unknown,
): Map<Tensor, TensorSummary> {
  const returned = new Map<Tensor, TensorSummary>();
  if (gradInputs !== null && Array.isArray(gradResult)) {
    gradInputs.forEach((t, i) => {
      const g: unknown = gradResult[i];
      if (g instanceof Tensor) returned.set(t, summarize(g));
    });
  }
  return returned;
}

function outputNodes(p: Pending, callSite: SourceLocation | null): GraphNode[] {
  const outName = outputName(callSite);
  return p.roots.map((r, i) => {
    const owner = rootNode(r);
    return {
      id: `out${i}`,
      kind: 'output',
      name: p.roots.length === 1 ? outName : `${outName}[${i}]`,
      next: [],
      value: p.rootValues[i],
      grad: owner === null ? null : gradReceived(p, owner),
      location: callSite,
      modulePath: [],
      attachedTo: owner === null || !p.indexOf.has(owner) ? null : idOf(p, owner),
      sequenceNr: -1,
    };
  });
}

/** The leaves this capture could name, with their tensors, in graph order. */
function namedLeaves(p: Pending, nodes: GraphNode[]): [string, Tensor][] {
  const names = new Map<string, string>();
  for (const n of nodes)
    if (n.kind === 'leaf' && n.attachedTo !== null) names.set(n.attachedTo, n.name);
  const named: [string, Tensor][] = [];
  p.order.forEach((n, i) => {
    const name = names.get(`n${i}`);
    if (n instanceof torch.autograd.AccumulateGrad && name !== undefined && name !== '')
      named.push([name, n.variable]);
  });
  return named;
}
