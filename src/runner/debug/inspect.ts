// The inspection API that runs inside a paused debuggee. The extension calls it through the
// debug adapter's `evaluate` (a paused process cannot answer IPC) and gets one JSON string
// back. Reading must not change the program: only plain field reads and the storage walk of
// `summarize`, never an op (an op would record autograd history or bump a version counter),
// never a lazily created engine object (AccumulateGrad, version counter, node metadata).
import * as torch from '../../engine/index';
import { Tensor } from '../../engine/index';
import type { GraphNode, GraphSnapshot, SourceLocation } from '../../protocol/messages';
import { summarize } from '../summary';
import { INSPECT_VERSION, type InspectedTensor, type Inspection } from './protocol';

type Node = torch.autograd.Node;

export interface InspectLimits {
  /** Tensors reported (variables, module parameters, array elements together). */
  maxTensors: number;
  /** Function and AccumulateGrad nodes walked from the tensors in scope. */
  maxNodes: number;
  /** Elements of an array variable looked at. */
  maxArrayItems: number;
}

export const DEFAULT_LIMITS: InspectLimits = { maxTensors: 64, maxNodes: 400, maxArrayItems: 16 };

/** Read without the lazily-creating `metadata` accessor; absent when the engine changes it. */
interface NodeInternals {
  _metadata: { loc?: SourceLocation | null } | null;
}

/**
 * One inspector per debuggee: it remembers the objects it has seen so a tensor or node keeps
 * its id from one stop to the next (a WeakMap, so it keeps nothing alive).
 */
export class Inspector {
  /** One table per id prefix: a leaf has both a tensor id and an AccumulateGrad id. */
  private readonly ids = new Map<string, WeakMap<object, string>>();
  private next = 0;
  private stops = 0;

  constructor(private readonly limits: InspectLimits = DEFAULT_LIMITS) {}

  private idOf(o: object, prefix: string): string {
    let table = this.ids.get(prefix);
    if (table === undefined) this.ids.set(prefix, (table = new WeakMap()));
    let id = table.get(o);
    if (id === undefined) {
      id = `${prefix}${this.next++}`;
      table.set(o, id);
    }
    return id;
  }

  /**
   * Inspects the variables of `scope` (an object whose keys are variable names; values may be
   * getters that throw, e.g. a `let` not yet initialised, and are then skipped).
   *
   * @example
   * inspector.inspect({ get w() { return w; }, get loss() { return loss; } });
   */
  inspect(scope: object): Inspection {
    this.stops++;
    const found = this.collect(scope);
    let truncated = found.truncated;
    const params = new Map<Tensor, string>();
    for (const [name, m] of found.modules)
      for (const [p, t] of m.namedParameters()) if (!params.has(t)) params.set(t, `${name}.${p}`);
    for (const [t, name] of found.tensors) if (t.isLeaf && !params.has(t)) params.set(t, name);

    const g = this.graph(found.tensors, params);
    truncated ||= g.truncated;
    const tensors = found.tensors.map(([t, name]) =>
      this.summary(t, name, g.tensorNode.get(name) ?? null),
    );
    return { version: INSPECT_VERSION, tensors, graph: g.snapshot, truncated };
  }

  /** One tensor described on its own (for hovers on expressions such as `model.fc1.weight`). */
  describe(value: unknown, name = ''): InspectedTensor | null {
    return value instanceof Tensor ? this.summary(value, name, null) : null;
  }

  /** What a stop shows of one tensor: plain field reads and storage walks, nothing recorded. */
  private summary(t: Tensor, name: string, nodeId: string | null): InspectedTensor {
    return {
      name,
      id: this.idOf(t, 't'),
      value: summarize(t),
      grad: t._grad === null ? null : summarize(t._grad),
      gradFn: t.gradFn === null ? null : t.gradFn.name(),
      isLeaf: t.isLeaf,
      requiresGrad: t.requiresGrad,
      retainsGrad: t.retainsGrad,
      version: t._version,
      nodeId,
    };
  }

  private collect(scope: object): {
    tensors: [Tensor, string][];
    modules: [string, torch.nn.Module][];
    truncated: boolean;
  } {
    const tensors: [Tensor, string][] = [];
    const modules: [string, torch.nn.Module][] = [];
    const seen = new Set<Tensor>();
    let truncated = false;
    const add = (t: Tensor, name: string): void => {
      if (seen.has(t)) return;
      if (tensors.length >= this.limits.maxTensors) {
        truncated = true;
        return;
      }
      seen.add(t);
      tensors.push([t, name]);
    };
    for (const name of Object.keys(scope)) {
      let v: unknown;
      try {
        v = (scope as Record<string, unknown>)[name];
      } catch {
        continue; // not initialised yet, or optimised away
      }
      if (v instanceof Tensor) add(v, name);
      else if (v instanceof torch.nn.Module) {
        modules.push([name, v]);
        for (const [p, t] of v.namedParameters()) add(t, `${name}.${p}`);
      } else if (Array.isArray(v)) {
        const n = Math.min(v.length, this.limits.maxArrayItems);
        for (let i = 0; i < n; i++)
          if (v[i] instanceof Tensor) add(v[i] as Tensor, `${name}[${i}]`);
      }
    }
    return { tensors, modules, truncated };
  }

  private graph(
    tensors: [Tensor, string][],
    leafNames: Map<Tensor, string>,
  ): { snapshot: GraphSnapshot | null; tensorNode: Map<string, string>; truncated: boolean } {
    const tensorNode = new Map<string, string>();
    const order: { node: Node; id: string }[] = [];
    const idOfNode = new Map<Node, string>();
    let truncated = false;
    // A leaf's AccumulateGrad is keyed by the leaf, so it has one id whether or not the engine
    // has made the node yet (making it here would be a side effect).
    const accId = (leaf: Tensor): string => this.idOf(leaf, 'acc');
    const visit = (n: Node | null): void => {
      if (n === null || idOfNode.has(n)) return;
      if (order.length >= this.limits.maxNodes) {
        truncated = true;
        return;
      }
      const id = n instanceof torch.autograd.AccumulateGrad ? accId(n.variable) : this.idOf(n, 'n');
      idOfNode.set(n, id);
      order.push({ node: n, id });
    };
    // Leaves, whether reached through their AccumulateGrad or found in scope, one node each.
    const leaves = new Map<string, Tensor>();
    for (const [t] of tensors) {
      if (t.gradFn !== null) visit(t.gradFn);
      else if (t.requiresGrad) leaves.set(accId(t), t);
    }
    for (let i = 0; i < order.length; i++) for (const [m] of order[i].node.nextFunctions) visit(m);
    for (const { node: n, id } of order)
      if (n instanceof torch.autograd.AccumulateGrad) leaves.set(id, n.variable);
    if (order.length === 0 && leaves.size === 0) return { snapshot: null, tensorNode, truncated };

    const nodes: GraphNode[] = [];
    for (const { node: n, id } of order) {
      if (n instanceof torch.autograd.AccumulateGrad) continue;
      nodes.push({
        id,
        kind: 'function',
        name: n.name(),
        next: n.nextFunctions.map(([m, inputNr]) => {
          const to = m === null ? undefined : idOfNode.get(m);
          return to === undefined ? null : { id: to, inputNr };
        }),
        value: null,
        grad: null,
        location: (n as unknown as NodeInternals)._metadata?.loc ?? null,
        modulePath: [],
        attachedTo: null,
        sequenceNr: n.sequenceNr,
      });
    }
    for (const [id, leaf] of leaves) {
      nodes.push({
        id,
        kind: 'accumulate',
        name: 'torch::autograd::AccumulateGrad',
        next: [],
        value: null,
        grad: null,
        location: null,
        modulePath: [],
        attachedTo: null,
        sequenceNr: -1,
      });
      nodes.push({
        id: `${id}:leaf`,
        kind: 'leaf',
        name: leafNames.get(leaf) ?? '',
        next: [],
        value: summarize(leaf),
        grad: leaf.grad === null ? null : summarize(leaf.grad),
        location: null,
        modulePath: [],
        attachedTo: id,
        sequenceNr: -1,
      });
    }
    const outputs: string[] = [];
    for (const [t, name] of tensors) {
      if (t.gradFn === null) {
        if (t.requiresGrad) tensorNode.set(name, `${accId(t)}:leaf`);
        continue;
      }
      const owner = idOfNode.get(t.gradFn);
      if (owner === undefined) continue; // cut off by the node limit
      const id = `var:${name}`;
      outputs.push(id);
      tensorNode.set(name, id);
      nodes.push({
        id,
        kind: 'output',
        name,
        next: [],
        value: summarize(t),
        grad: t._grad === null ? null : summarize(t._grad),
        location: null,
        modulePath: [],
        attachedTo: owner,
        sequenceNr: -1,
      });
    }
    const snapshot: GraphSnapshot = {
      index: this.stops,
      trigger: 'backward',
      nodes,
      outputs,
      anomalies: [],
      collapsed: false,
      detail: 'light',
    };
    return { snapshot, tensorNode, truncated };
  }
}
