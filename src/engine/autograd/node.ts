// Autograd graph nodes. A node is what `tensor.gradFn` points to: it knows its PyTorch name,
// its `nextFunctions` edges, and how to turn the gradient of its output into gradients of
// its inputs.
import type { Tensor } from '../tensor';
import { legacyTypeName, type DType } from '../dtype';
import { inspectNode, nextFunctionsOf, nodeDetails, nodeRepr } from '../print/node-text';

/** An edge to the node that produced an input, and which of its outputs that input was. */
export type Edge = [Node | null, number];

/** Which output of its node each input is, or null when all are output 0 (the usual case). */
export function outputNrsOf(inputs: readonly Tensor[]): number[] | null {
  let nrs: number[] | null = null;
  for (let i = 0; i < inputs.length; i++) {
    const nr = inputs[i]._outputNr;
    if (nr !== 0) (nrs ??= new Array<number>(inputs.length).fill(0))[i] = nr;
  }
  return nrs;
}

/** A hook run on the gradient flowing into a node; returning a tensor replaces it. */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a hook written `(g) => { log(g); }` returns void, as PyTorch's return None
export type GradHook = (grad: Tensor) => Tensor | void | undefined;

/** A hook run after a node, with its input gradients and output gradient. */
export type PostHook = (gradInputs: (Tensor | null)[], gradOutputs: Tensor[]) => void;

/**
 * What a node seldom has: a third edge, an input that is not output 0 of its node, hooks,
 * metadata. Nodes without any of these share one object per edge count (never written), so
 * a node pays one field for all of it: every field of a node in a long chain is kept alive,
 * copied by the young-generation collector and then moved to a fresh page of the old one.
 */
interface NodeRare {
  /** How many inputs (edges) the node has. */
  readonly edgeCount: number;
  /** Every edge when there are more than two (edges 0 and 1 are in the node's fields), else null. */
  readonly edges: readonly (Node | null)[] | null;
  /** Which output of its node each input is: null while all are 0 (unless an input came out of `chunk`). */
  readonly nextNrs: readonly number[] | null;
  preHooks: GradHook[] | null;
  postHooks: PostHook[] | null;
  metadata: Record<string, unknown> | null;
}

/** Made in one place, so that every NodeRare has the same hidden class. */
function makeRare(
  edgeCount: number,
  edges: readonly (Node | null)[] | null,
  nextNrs: readonly number[] | null,
): NodeRare {
  return { edgeCount, edges, nextNrs, preHooks: null, postHooks: null, metadata: null };
}

/** The shared NodeRare of nodes with 0, 1 or 2 edges and nothing seldom. */
const PLAIN_RARE: readonly NodeRare[] = [
  makeRare(0, null, null),
  makeRare(1, null, null),
  makeRare(2, null, null),
];

let nextSequenceNr = 0;

/**
 * @internal The sequence number the next node gets, and setting it: the runner puts it back
 * after warming its capture path on nodes of its own (src/runner/warm-capture.ts), so a
 * script's nodes are numbered as in a fresh process.
 */
export function nextSequenceNumber(): number {
  return nextSequenceNr;
}

/** @internal See nextSequenceNumber. */
export function setNextSequenceNumber(n: number): void {
  nextSequenceNr = n;
}

/** `Node._deps` of a node that no running backward has claimed. */
export const UNCLAIMED = -1;

/** Sequence number PyTorch gives AccumulateGrad: the largest, so leaves run as soon as ready. */
const ACCUMULATE_SEQUENCE_NR = Number.MAX_SAFE_INTEGER;

const FREED_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after ' +
  'they have already been freed). Saved intermediate values of the graph are freed when you call ' +
  '.backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the ' +
  'graph a second time or if you need to access saved tensors after calling backward.';

/**
 * Returns a saved tensor if it is still there and unmodified, else throws PyTorch's error.
 */
export function checkSaved(
  t: Tensor | null,
  version: number,
  isOutput: boolean,
  owner: Node,
): Tensor {
  if (t === null) throw new Error(FREED_MESSAGE);
  if (t._version !== version) {
    const producer = isOutput ? owner.name() : (t.gradFn?.name() ?? null);
    const shape = `[${legacyTypeName(t.dtype)} [${t.shape.join(', ')}]]`;
    const of = producer ? `, which is output 0 of ${producer},` : '';
    throw new Error(
      `one of the variables needed for gradient computation has been modified by an inplace ` +
        `operation: ${shape}${of} is at version ${t._version}; expected version ${version} ` +
        `instead. Hint: enable anomaly detection to find the operation that failed to compute its ` +
        `gradient, with torch.autograd.set_detect_anomaly(True).`,
    );
  }
  return t;
}

/**
 * A tensor saved for backward, with the version it had when saved so that an in-place change
 * in between is caught, as PyTorch does. Custom Functions get these through `ctx.saveForBackward`.
 *
 * @example
 * const x = torch.ones(2);
 * const saved = new torch.autograd.SavedTensor(x, false);
 * x.add_(1);
 * saved.unpack(node); // throws: "... modified by an inplace operation ..."
 */
export class SavedTensor {
  private tensor: Tensor | null;
  private readonly version: number;
  /** Whether the saved tensor is the output of the node that saved it (PyTorch words the error differently). */
  readonly isOutput: boolean;

  constructor(tensor: Tensor, isOutput: boolean) {
    this.tensor = tensor;
    this.version = tensor._version;
    this.isOutput = isOutput;
  }

  unpack(owner: Node): Tensor {
    return checkSaved(this.tensor, this.version, this.isOutput, owner);
  }

  /** For graph capture: the saved tensor without version checks, or null once freed. */
  peek(): Tensor | null {
    return this.tensor;
  }

  release(): void {
    this.tensor = null;
  }
}

/**
 * A node of the autograd graph (PyTorch's `torch.autograd.graph.Node`).
 *
 * @example
 * const y = x.mul(2).sum();
 * y.gradFn!.name(); // 'SumBackward0'
 * y.gradFn!.nextFunctions[0][0]!.name(); // 'MulBackward0'
 */
export abstract class Node {
  /**
   * @internal The nodes of inputs 0 and 1, null where an input needs no grad. The engine
   * keeps bare nodes and builds `nextFunctions` pairs only when someone asks. Two fields
   * rather than an array: a long chain keeps one node per op alive, and the array would cost
   * more than the node.
   */
  readonly _next0: Node | null;
  /** @internal */
  readonly _next1: Node | null;
  /** Edge count, edges past the second, output numbers, hooks, metadata: shared until set. */
  private _rare: NodeRare;
  /** Creation order; backward runs ready nodes with the highest number first. */
  readonly sequenceNr: number;
  /**
   * @internal Per-backward bookkeeping, owned by the engine while a backward runs: the
   * dependency count of a node that backward claimed, UNCLAIMED otherwise (the claim and the
   * count in one field: the node of a long chain keeps every field alive).
   */
  _deps = UNCLAIMED;
  /** @internal */
  _buffer: Tensor | null = null;

  constructor(
    next: (Node | null)[],
    sequenceNr = nextSequenceNr++,
    nextNrs: readonly number[] | null = null,
  ) {
    const n = next.length;
    this._next0 = n > 0 ? next[0] : null;
    this._next1 = n > 1 ? next[1] : null;
    this._rare =
      n < PLAIN_RARE.length && nextNrs === null
        ? PLAIN_RARE[n]
        : makeRare(n, n < PLAIN_RARE.length ? null : next, nextNrs);
    this.sequenceNr = sequenceNr;
  }

  /** How many outputs the node's op returned (`chunk` and `split`: several). */
  get numOutputs(): number {
    return 1;
  }

  /** @internal How many inputs (edges) this node has. */
  get _edgeCount(): number {
    return this._rare.edgeCount;
  }

  /** @internal The node of input `i` (null: needs no grad), without allocating. */
  _edge(i: number): Node | null {
    return i === 0 ? this._next0 : i === 1 ? this._next1 : (this._rare.edges as Node[])[i];
  }

  /** @internal Which output of `_edge(i)` input `i` is (`nextFunctions`' second element). */
  _edgeNr(i: number): number {
    const nrs = this._rare.nextNrs;
    return nrs === null ? 0 : nrs[i];
  }

  /**
   * Edges to the nodes of this node's inputs, in PyTorch's order; `[null, 0]` where an input
   * needs no grad. Prints as PyTorch's tuple: `((<PowBackward0 object at 0x…>, 0), (None, 0))`.
   */
  get nextFunctions(): Edge[] {
    return nextFunctionsOf(this);
  }

  /**
   * Hooks on the gradient of this node's output (tensor hooks and `retainGrad`); null until one is registered.
   * @example
   * y.gradFn!.registerPrehook((g) => g.mul(2));
   * y.gradFn!.preHooks!.length; // 1
   */
  get preHooks(): GradHook[] | null {
    return this._rare.preHooks;
  }

  /**
   * Hooks run after the node, with its input gradients and output gradient; null until one is registered.
   * @example
   * y.gradFn!.postHooks; // null
   */
  get postHooks(): PostHook[] | null {
    return this._rare.postHooks;
  }

  /** Free-form metadata (the runner records source locations and module paths here). */
  get metadata(): Record<string, unknown> {
    return (this.ownRare().metadata ??= {});
  }

  /** @internal the metadata if any was made (the debug inspector reads it without making it) */
  get _metadata(): Record<string, unknown> | null {
    return this._rare.metadata;
  }

  /** This node's own NodeRare, copied from the shared one before its first write. */
  private ownRare(): NodeRare {
    const rare = this._rare;
    if (rare !== PLAIN_RARE[rare.edgeCount]) return rare;
    return (this._rare = makeRare(rare.edgeCount, null, null));
  }

  /** PyTorch's class name for this node, e.g. `'MulBackward0'`. */
  abstract name(): string;

  /** Gradients for each edge in `nextFunctions`, given the gradient of the output. */
  abstract apply(gradOutput: Tensor): (Tensor | null)[];

  /** Shape the gradient for input `index` must have (null: unchecked). */
  inputShape(_index: number): readonly number[] | null {
    return null;
  }

  /** Dtype the gradient for input `index` must have (null: unchecked). */
  inputDtype(_index: number): DType | null {
    return null;
  }

  /**
   * @internal Whether `apply` is one of the engine's backward rules, which keep nothing they
   * make (a Function's backward is the user's code, and may), on inputs large enough for
   * their gradients to be worth taking without a copy (see autograd/grad-ownership.ts).
   */
  get _mayOwnResults(): boolean {
    return false;
  }

  /** Tensors this node saved for backward (empty once freed). */
  savedTensors(): Tensor[] {
    return [];
  }

  /** Frees what was saved for backward (after a backward without `retainGraph`). */
  releaseVariables(): void {}

  /**
   * Registers a hook called after this node runs, like PyTorch's `Node.register_hook`.
   * @example
   * y.gradFn!.registerHook((gradInputs, gradOutputs) => console.log(gradOutputs[0].item()));
   */
  registerHook(fn: PostHook): { remove(): void } {
    const hooks = (this.ownRare().postHooks ??= []);
    hooks.push(fn);
    return { remove: () => void hooks.splice(hooks.indexOf(fn) >>> 0, 1) };
  }

  /**
   * Registers a hook on the gradient of this node's output before the node runs.
   * @example
   * y.gradFn!.registerPrehook((g) => g.mul(2));
   */
  registerPrehook(fn: GradHook): { remove(): void } {
    const hooks = (this.ownRare().preHooks ??= []);
    hooks.push(fn);
    return { remove: () => void hooks.splice(hooks.indexOf(fn) >>> 0, 1) };
  }

  /** @internal A tensor hook on output `outputNr`: one output, so a pre-hook. */
  _registerOutputHook(_outputNr: number, fn: GradHook): { remove(): void } {
    return this.registerPrehook(fn);
  }

  /** Python's repr of the node, with a made-up address that stays the same for this node. @example String(y.gradFn); // '<MulBackward0 object at 0x7f3a5c2e1000>' */
  toString(): string {
    return nodeRepr(this);
  }

  /** The repr and the details: nextFunctions, saved tensors, hooks, metadata. @example console.log(y.gradFn!.inspect()); */
  inspect(): string {
    return nodeDetails(this);
  }

  /** @internal console.log shows the repr; `util.inspect(node, { depth: 3 })` and deeper, the details. */
  [Symbol.for('nodejs.util.inspect.custom')](depth: number | null): string {
    return inspectNode(this, depth);
  }
}

/**
 * The node through which gradients reach a leaf tensor: it adds them into `variable.grad`.
 * The same leaf is always reached through the same AccumulateGrad object.
 *
 * @example
 * const w = torch.ones(2, { requiresGrad: true });
 * const acc = w.mul(3).gradFn!.nextFunctions[0][0] as torch.autograd.AccumulateGrad;
 * acc.name(); // 'torch::autograd::AccumulateGrad'
 * acc.variable === w; // true
 */
export class AccumulateGrad extends Node {
  readonly variable: Tensor;

  constructor(variable: Tensor) {
    super([], ACCUMULATE_SEQUENCE_NR);
    this.variable = variable;
  }

  name(): string {
    return 'torch::autograd::AccumulateGrad';
  }

  /** Accumulation itself is done by the engine, which knows whether to keep history. */
  apply(): (Tensor | null)[] {
    return [];
  }
}
