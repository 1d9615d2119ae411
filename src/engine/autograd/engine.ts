// The backward pass: PyTorch's engine without threads. Count each node's dependencies,
// then repeatedly run the ready node with the highest sequence number, summing gradients
// that meet at a node before it runs. Iterative throughout, so a 200,000-op chain is fine.
import { isGradEnabled, isAnomalyEnabled, setGradEnabled } from '../grad-mode';
import { formatShape, sameShape } from '../shape';
import { torchSize } from '../print/size';
import { allocate } from '../dtype';
import { Tensor } from '../tensor';
import { MultiOutputNode } from './multi-output';
import { AccumulateGrad, type GradHook, type Node, UNCLAIMED } from './node';
import { GradOwnership } from './grad-ownership';

export interface BackwardOptions {
  retainGraph: boolean;
  createGraph: boolean;
}

/**
 * Watches backward passes run, in the order the engine runs the nodes: the runner records
 * what flowed through each node (gradlens.capture.flow). Unset, it costs one null check per node.
 */
export interface BackwardObserver {
  /**
   * A function node ran: `gradOutputs` are the gradients it received for each of its outputs
   * (after hooks; null for an output of a multi-output node that received none), `gradInputs`
   * what it returned per edge (shorter, or empty, where it returned nothing). Summarize them
   * on the spot: one may become a leaf's `.grad`, which later backward passes add to in place.
   */
  ran(
    node: Node,
    gradOutputs: readonly (Tensor | null)[],
    gradInputs: readonly (Tensor | null)[],
  ): void;
  /** An AccumulateGrad is about to add `grad` into its leaf's `.grad` (autograd.grad: to hand it back). */
  accumulating(node: AccumulateGrad, grad: Tensor): void;
}

let observer: BackwardObserver | null = null;

/** Backward passes running now: more than one when a hook runs a backward of its own. */
let running = 0;

/** Sets (or, with null, removes) the observer of the backward passes that start from now on. */
export function setBackwardObserver(o: BackwardObserver | null): void {
  observer = o;
}

/** What an autograd.grad target that needs no further backward "sends": nothing. */
const NOTHING_SENT: readonly (Tensor | null)[] = Object.freeze([]);

/** Max-heap of nodes by sequence number: PyTorch's ready queue order. */
class ReadyQueue {
  private readonly heap: Node[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(n: Node): void {
    const h = this.heap;
    h.push(n);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].sequenceNr >= h[i].sequenceNr) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  pop(): Node {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (last !== undefined && h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].sequenceNr > h[m].sequenceNr) m = l;
        if (r < h.length && h[r].sequenceNr > h[m].sequenceNr) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

function hasNaN(t: Tensor): boolean {
  const d = t._data;
  const n = t.numel();
  // Views may be strided, but any NaN in their window is enough to report.
  for (let i = 0; i < n && t._offset + i < d.length; i++)
    if (Number.isNaN(d[t._offset + i])) return true;
  return false;
}

function rootEdge(t: Tensor): Node {
  if (!t.requiresGrad) {
    throw new Error('element 0 of tensors does not require grad and does not have a grad_fn');
  }
  return t.gradFn ?? t._accumulateGrad();
}

function defaultGradient(t: Tensor, given: Tensor | null): Tensor {
  if (given !== null) {
    if (!sameShape(given.shape, t.shape)) {
      throw new Error(
        `Mismatch in shape: grad_output[0] has a shape of ${torchSize(given.shape)} and output[0] has a shape of ${torchSize(t.shape)}.`,
      );
    }
    return given;
  }
  if (t.numel() !== 1) throw new Error('grad can be implicitly created only for scalar outputs');
  const one = allocate(t.dtype, 1);
  one[0] = 1;
  return Tensor._fromFlat(one, t.shape.slice(), t.dtype);
}

/** Makes a returned gradient fit its input: shape checked, dtype cast. */
function validate(node: Node, index: number, g: Tensor): Tensor {
  const shape = node.inputShape(index);
  if (shape !== null && !sameShape(g.shape, shape)) {
    throw new Error(
      `Function ${node.name()} returned an invalid gradient at index ${index} - got ${formatShape(g.shape)} but expected shape compatible with ${formatShape(shape)}`,
    );
  }
  const dtype = node.inputDtype(index);
  return dtype === null || g.dtype === dtype ? g : g.to(dtype);
}

function runHooks(hooks: readonly GradHook[] | null, g: Tensor): Tensor {
  if (hooks === null) return g;
  for (const h of hooks.slice()) {
    const r = h(g);
    if (r) g = r;
  }
  return g;
}

/** Adds `g` to what waits at output `nr` of `n`. */
function receive(n: Node, nr: number, g: Tensor, ownership: GradOwnership | null): void {
  if (n instanceof MultiOutputNode) n._receive(nr, g);
  else if (n._buffer === null) n._buffer = g;
  else {
    const sum = n._buffer.add(g);
    ownership?.summed(n._buffer, g, sum);
    n._buffer = sum;
  }
}

/** Whether some elements of `t` are one memory location (an expanded dim). */
function sharesElements(t: Tensor): boolean {
  for (let d = 0; d < t.shape.length; d++) if (t._strides[d] === 0 && t.shape[d] > 1) return true;
  return false;
}

/**
 * Adds `g` into `leaf.grad`. `owned`: nothing else holds `g` and it is laid out as its copy
 * would be, so a leaf without a gradient takes it as it is.
 */
function accumulate(leaf: Tensor, g: Tensor, createGraph: boolean, owned: boolean): void {
  if (leaf.grad === null) {
    // Else a fresh copy: the same gradient tensor may be flowing to several leaves, or be the
    // caller's.
    leaf.grad = createGraph
      ? g
      : owned
        ? Tensor._fromFlat(g._data, g.shape.slice(), g.dtype)
        : g.detach().clone();
  } else if (createGraph || sharesElements(leaf.grad)) {
    // A gradient kept from a createGraph pass may be an expanded view: add out of place.
    leaf.grad = leaf.grad.add(g);
  } else {
    leaf.grad.add_(g);
  }
  if (isAnomalyEnabled() && hasNaN(leaf.grad)) {
    // PyTorch checks node outputs only, so NaN born in this sum (inf + -inf) would slip by.
    throw new Error(
      `Function AccumulateGrad produced nan values while summing gradients into a leaf of shape ${formatShape(leaf.shape)}.`,
    );
  }
}

/**
 * Runs backward from `roots`. With `inputs`, gradients are captured for those tensors and
 * returned instead of accumulated into leaves (autograd.grad).
 */
export function runBackward(
  roots: Tensor[],
  gradOutputs: (Tensor | null)[],
  options: BackwardOptions,
  inputs?: Tensor[],
  allowUnused = false,
): (Tensor | null)[] {
  const rootNodes = roots.map(rootEdge);
  const rootGrads = roots.map((t, i) => defaultGradient(t, gradOutputs[i] ?? null));

  // Discover the graph (iterative DFS) and count dependencies. Counts and gradient
  // buffers live on the nodes (no maps on the hot path), claimed by this pass; every claimed
  // node is listed in `claimed` and released in the finally below, whatever throws. A pass
  // started inside another (from a hook) keeps its claims in a set too, to tell them from
  // the outer pass's.
  const mine = running > 0 ? new Set<Node>() : null;
  const isMine = (n: Node): boolean => n._deps !== UNCLAIMED && (mine === null || mine.has(n));
  const claimed: Node[] = [];
  const prevGrad = isGradEnabled();
  let captureAt: Map<Node, number[]> | null = null;
  let needed: Set<Node> | null = null;
  const captured: (Tensor | null)[] = [];
  const watch = observer;
  running++;
  let ownership: GradOwnership | null = null;
  try {
    const stack: Node[] = [];
    const visit = (n: Node): void => {
      claim(n, mine);
      claimed.push(n);
      stack.push(n);
    };
    for (const n of rootNodes) if (!isMine(n)) visit(n);
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      for (let i = 0, count = n._edgeCount; i < count; i++) {
        const next = n._edge(i);
        if (next === null) continue;
        if (!isMine(next)) visit(next);
        next._deps++;
      }
    }

    // For autograd.grad: which nodes to capture at, and which need to run at all.
    if (inputs !== undefined) {
      const at = new Map<Node, number[]>();
      captureAt = at;
      inputs.forEach((t, i) => {
        captured.push(null);
        if (!t.requiresGrad)
          throw new Error(`One of the differentiated Tensors does not require grad`);
        const n = t.gradFn ?? t._accumulateGrad();
        const list = at.get(n);
        if (list) list.push(i);
        else at.set(n, [i]);
      });
      // A node is needed if an input's node is reachable from it. DFS discovery order is not
      // topological once paths share nodes (x.pow(3).mul(x.sin())), so walk a topological
      // order backwards: children are then decided before their parents.
      needed = new Set();
      const topo = topologicalOrder(rootNodes, claimed);
      for (let i = topo.length - 1; i >= 0; i--) {
        const n = topo[i];
        if (captureAt.has(n) || hasNeededChild(n, needed)) needed.add(n);
      }
    }

    const queue = new ReadyQueue();
    setGradEnabled(options.createGraph);
    // Under createGraph a gradient is part of a graph; autograd.grad accumulates nothing.
    if (!options.createGraph && captureAt === null) ownership = new GradOwnership();
    rootNodes.forEach((n, i) => {
      receive(n, roots[i].gradFn === null ? 0 : roots[i]._outputNr, rootGrads[i], ownership);
    });
    for (const n of new Set(rootNodes)) if (n._deps === 0) queue.push(n);

    while (queue.size > 0) {
      const node = queue.pop();
      // Only nodes with a gradient waiting are queued.
      if (node._buffer === null) continue;
      let grad = node._buffer;
      node._buffer = null;
      // A multi-output node gets one gradient per output; its own pre-hooks see the first.
      const multi = node instanceof MultiOutputNode ? node : null;
      const arrived = multi === null ? null : multi._takeGrads();
      const grads = multi === null || arrived === null ? null : multi._filled(arrived);
      if (grads !== null) grad = grads[0];
      const leafHooks = node instanceof AccumulateGrad ? node.variable._leafHooks : null;
      grad = runHooks(leafHooks ?? node.preHooks, grad);

      const targets = captureAt?.get(node);
      if (targets !== undefined)
        for (const i of targets)
          captured[i] = grads === null ? grad : grads[inputs?.[i]._outputNr ?? 0];
      if (needed !== null && !needed.has(node)) continue;
      if (node instanceof AccumulateGrad) {
        if (watch !== null) watch.accumulating(node, grad);
        if (captureAt === null) {
          const owned =
            ownership !== null &&
            leafHooks === null &&
            node.preHooks === null &&
            ownership.take(grad);
          accumulate(node.variable, grad, options.createGraph, owned);
        }
        continue;
      }
      if (targets !== undefined && needed !== null && !hasNeededChild(node, needed)) {
        if (watch !== null) watch.ran(node, arrived ?? [grad], NOTHING_SENT);
        continue;
      }

      const watched = ownership !== null && ownership.before(node, grad);
      const gradInputs =
        multi === null || grads === null ? node.apply(grad) : multi.applyOutputs(grads);
      if (watched && ownership !== null) ownership.after(gradInputs);
      if (watch !== null) watch.ran(node, arrived ?? [grad], gradInputs);
      if (node.postHooks !== null)
        for (const h of node.postHooks.slice()) h(gradInputs, grads ?? [grad]);
      if (!options.retainGraph) node.releaseVariables();
      for (let i = 0, count = node._edgeCount; i < count; i++) {
        const next = node._edge(i);
        if (next === null) continue;
        const g = gradInputs[i] ?? null;
        if (g !== null) {
          if (isAnomalyEnabled() && hasNaN(g)) {
            throw new Error(`Function '${node.name()}' returned nan values in its ${i}th output.`);
          }
          receive(next, node._edgeNr(i), validate(node, i, g), ownership);
        }
        if (--next._deps === 0) {
          if (next._buffer !== null) queue.push(next);
          else skipSubgraph(next, queue);
        }
      }
    }
  } finally {
    running--;
    ownership?.stop();
    setGradEnabled(prevGrad);
    for (const n of claimed) release(n);
  }

  if (inputs !== undefined) {
    captured.forEach((g, i) => {
      if (g === null && !allowUnused) {
        throw new Error(
          `One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.`,
        );
      }
      if (g !== null && !options.createGraph) captured[i] = g.detach();
    });
  }
  return captured;
}

/** Kahn's algorithm over the discovered graph, using the dependency counts just computed. */
function topologicalOrder(rootNodes: Node[], nodes: Node[]): Node[] {
  const indegree = new Map<Node, number>();
  for (const n of nodes) indegree.set(n, n._deps);
  const ready = [...new Set(rootNodes)].filter((n) => n._deps === 0);
  const topo: Node[] = [];
  for (let n = ready.pop(); n !== undefined; n = ready.pop()) {
    topo.push(n);
    for (let i = 0, count = n._edgeCount; i < count; i++) {
      const next = n._edge(i);
      if (next === null) continue;
      const d = (indegree.get(next) ?? 0) - 1;
      indegree.set(next, d);
      if (d === 0) ready.push(next);
    }
  }
  return topo;
}

function claim(n: Node, mine: Set<Node> | null): void {
  if (n._deps !== UNCLAIMED) {
    throw new Error(
      `backward() was called from inside another backward() through the same graph (at ${n.name()}); Gradlens does not support reentrant backward.`,
    );
  }
  n._deps = 0;
  n._buffer = null;
  if (mine !== null) mine.add(n);
}

function release(n: Node): void {
  n._buffer = null;
  if (n instanceof MultiOutputNode) n._outputGrads = null;
  n._deps = UNCLAIMED;
}

function hasNeededChild(node: Node, needed: Set<Node>): boolean {
  for (let i = 0, count = node._edgeCount; i < count; i++) {
    const next = node._edge(i);
    if (next !== null && needed.has(next)) return true;
  }
  return false;
}

/**
 * A node all of whose incoming gradients were null never runs, but its children's
 * dependency counts must still drop, or the nodes below would wait forever.
 */
function skipSubgraph(start: Node, queue: ReadyQueue): void {
  const stack = [start];
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    for (let i = 0, count = n._edgeCount; i < count; i++) {
      const next = n._edge(i);
      if (next === null) continue;
      if (--next._deps === 0) {
        if (next._buffer !== null) queue.push(next);
        else stack.push(next);
      }
    }
  }
}
