// The primitive-op contract: each primitive declares, in one object, its PyTorch node name,
// its forward kernel, what it saves, and its backward in terms of differentiable tensor ops
// (so `createGraph` gives higher-order gradients for free). `apply` is the only place that
// records history.
import { AccumulateGrad, checkSaved, Node, outputNrsOf } from '../autograd/node';
import { isWatchedSize, type DType } from '../dtype';
import { isGradEnabled } from '../grad-mode';
import { sameShape } from '../shape';
import type { Tensor } from '../tensor';

/** What a primitive's backward receives besides the output gradient. */
export interface BackwardContext<A> {
  /**
   * The tensors named in `saves`, in that order, version-checked. An entry that `savedFor`
   * ties to inputs none of which needs a gradient was never saved and is `undefined` here.
   */
  readonly saved: Tensor[];
  /** Shapes of the differentiable inputs at forward time. */
  readonly shapes: readonly (readonly number[])[];
  /** Whether each input needs a gradient (skip the work where it does not). */
  readonly needs: readonly boolean[];
  readonly args: A;
}

/**
 * One primitive op: forward and backward side by side, like PyTorch's `derivatives.yaml`.
 * `inputs` are the differentiable tensor inputs, in PyTorch's `nextFunctions` order; every
 * other argument travels in `args`.
 */
export interface Primitive<A = undefined> {
  /** PyTorch's node class name, e.g. `'MulBackward0'`. */
  readonly name: string;
  /** Number of differentiable tensor inputs (`-1`: any number, as in `cat`). */
  readonly arity: number;
  /** Computes the result on raw storage; never records history. */
  forward(inputs: Tensor[], args: A): Tensor;
  /** Which tensors backward needs: input indices or `'out'` (at most two). */
  readonly saves?: readonly (number | 'out')[];
  /**
   * For each entry of `saves`, the inputs whose gradient uses it; the entry is saved only
   * when one of them needs a gradient, as PyTorch's generated code does (`(x * 2).grad_fn`
   * keeps `other` but not `self`, so `x` may then change in place). Omitted: always saved.
   */
  readonly savedFor?: readonly (readonly number[])[];
  /** Gradients for each input (null where not needed), from the gradient of the output. */
  backward(grad: Tensor, ctx: BackwardContext<A>): (Tensor | null)[];
}

type BeforeOpHook = () => void;
let beforeOp: BeforeOpHook | null = null;

/**
 * Called before every primitive op: where the runner takes in the host's pause and capture
 * requests inside a synchronous loop. One null check per op when unset.
 */
export function setBeforeOpHook(hook: BeforeOpHook | null): void {
  beforeOp = hook;
}

type NodeCreatedHook = (node: Node, output: Tensor) => void;
let onNodeCreated: NodeCreatedHook | null = null;

/** Lets the runner attach source locations and module paths to every node as it is created. */
export function setNodeCreatedHook(hook: NodeCreatedHook | null): void {
  onNodeCreated = hook;
}

export function notifyNodeCreated(node: Node, output: Tensor): void {
  if (onNodeCreated !== null) onNodeCreated(node, output);
}

/** The edge through which a gradient reaches `t`: its gradFn, or its leaf's AccumulateGrad. */
export function gradientEdge(t: Tensor): Node | null {
  if (!t.requiresGrad) return null;
  return t.gradFn ?? t._accumulateGrad();
}

/**
 * What a node records about its op and inputs that does not depend on the values: the op,
 * the input shapes and dtypes, which inputs need a gradient and which saves are kept. Most
 * nodes of an op share one (a chain of 200,000 `mul`s has a single one), so a node holds
 * one field instead of seven, and backward reads `shapes` and `needs` without building them.
 */
class OpKind<A> {
  readonly op: Primitive<A>;
  /** The op's `saves` (empty when it has none). */
  readonly saves: readonly (number | 'out')[];
  readonly shapes: readonly (readonly number[])[];
  readonly dtypes: readonly DType[];
  readonly needs: readonly boolean[];
  /** Whether `saves[0]` / `saves[1]` are kept, given `needs` and `savedFor`. */
  readonly keep0: boolean;
  readonly keep1: boolean;
  /** Whether an input's gradient would be a storage `allocate` lists while watched. */
  readonly largeInput: boolean;

  constructor(op: Primitive<A>, inputs: Tensor[], edges: (Node | null)[]) {
    this.op = op;
    this.saves = op.saves ?? [];
    this.shapes = inputs.map((t) => t.shape);
    this.dtypes = inputs.map((t) => t.dtype);
    this.needs = edges.map((e) => e !== null);
    const n = this.saves.length;
    this.keep0 = n > 0 && this.keeps(0);
    this.keep1 = n > 1 && this.keeps(1);
    this.largeInput = inputs.some((t) => isWatchedSize(t.numel() * t._data.BYTES_PER_ELEMENT));
  }

  private keeps(slot: number): boolean {
    const users = this.op.savedFor?.[slot];
    return users === undefined || users.some((i) => this.needs[i]);
  }

  fits(inputs: Tensor[], edges: (Node | null)[]): boolean {
    const n = inputs.length;
    if (this.shapes.length !== n) return false;
    for (let i = 0; i < n; i++) {
      const t = inputs[i];
      if (t.dtype !== this.dtypes[i] || (edges[i] !== null) !== this.needs[i]) return false;
      const s = this.shapes[i];
      if (t.shape !== s && !sameShape(t.shape, s)) return false;
    }
    return true;
  }
}

/** A few kinds per op: enough for the distinct layers of a model, cheap to scan. */
const KINDS_PER_OP = 8;
// Weak, so a primitive made on the fly (none is today) takes its kinds with it when dropped.
const kinds = new WeakMap<Primitive<never>, OpKind<never>[]>();

function kindOf<A>(op: Primitive<A>, inputs: Tensor[], edges: (Node | null)[]): OpKind<A> {
  let list = kinds.get(op) as OpKind<A>[] | undefined;
  if (list === undefined) {
    list = [];
    kinds.set(op, list);
  }
  for (let i = 0; i < list.length; i++) if (list[i].fits(inputs, edges)) return list[i];
  const kind = new OpKind(op, inputs, edges);
  // Newest first; the oldest falls off when the list is full.
  if (list.length >= KINDS_PER_OP) list.pop();
  list.unshift(kind);
  return kind;
}

/** Stands in, in `saved`, for a save that was skipped because no gradient needs it. */
const NOT_SAVED = undefined as unknown as Tensor;

/** What `saves` entry `slot` names: an input of the op, or its output. */
function savedOf(slot: number | 'out', inputs: Tensor[], out: Tensor): Tensor {
  return slot === 'out' ? out : inputs[slot];
}

/**
 * The node a primitive leaves in the graph. A long chain keeps one node per op alive, so it
 * holds only what differs from node to node: its kind and args, and (in the two subclasses
 * below, only when it keeps them) its saved tensors in fields rather than arrays. Every field
 * of such a node is copied by the young-generation collector and then faulted into a fresh
 * page of the old one: half of a chain of `mul`s and `add`s keeps nothing.
 */
export class OpNode<A> extends Node {
  protected readonly kind: OpKind<A>;
  readonly args: A;

  constructor(kind: OpKind<A>, args: A, inputs: Tensor[], edges: (Node | null)[]) {
    super(edges, undefined, outputNrsOf(inputs));
    this.kind = kind;
    this.args = args;
  }

  /** The primitive this node records. */
  get op(): Primitive<A> {
    return this.kind.op;
  }

  name(): string {
    return this.kind.op.name;
  }

  apply(grad: Tensor): (Tensor | null)[] {
    const kind = this.kind;
    const n = kind.saves.length;
    const saved: Tensor[] = [];
    for (let slot = 0; slot < n; slot++) saved.push(this.unpack(slot));
    return kind.op.backward(grad, {
      saved,
      shapes: kind.shapes,
      needs: kind.needs,
      args: this.args,
    });
  }

  /** Saved tensor `slot`, version-checked; NOT_SAVED where it was not kept. */
  protected unpack(_slot: number): Tensor {
    return NOT_SAVED;
  }

  override get _mayOwnResults(): boolean {
    return this.kind.largeInput;
  }

  override inputShape(index: number): readonly number[] {
    return this.kind.shapes[index];
  }

  override inputDtype(index: number): DType {
    return this.kind.dtypes[index];
  }
}

/** A node that keeps one of its op's saves (`keep0` or `keep1` says which; no gradient needs the other). */
class OpNodeKeepingOne<A> extends OpNode<A> {
  private saved: Tensor | null;
  private readonly version: number;

  constructor(kind: OpKind<A>, args: A, inputs: Tensor[], out: Tensor, edges: (Node | null)[]) {
    super(kind, args, inputs, edges);
    this.saved = savedOf(kind.saves[kind.keep0 ? 0 : 1], inputs, out);
    this.version = this.saved._version;
  }

  protected override unpack(slot: number): Tensor {
    const kind = this.kind;
    if (slot !== (kind.keep0 ? 0 : 1)) return NOT_SAVED;
    // After releaseVariables the field is null, and checkSaved reports the freed graph.
    return checkSaved(this.saved, this.version, kind.saves[slot] === 'out', this);
  }

  override savedTensors(): Tensor[] {
    return this.saved === null ? [] : [this.saved];
  }

  override releaseVariables(): void {
    this.saved = null;
  }
}

/** A node that keeps both of its op's saves. */
class OpNodeKeepingTwo<A> extends OpNode<A> {
  private saved0: Tensor | null;
  private saved1: Tensor | null;
  private readonly version0: number;
  private readonly version1: number;

  constructor(kind: OpKind<A>, args: A, inputs: Tensor[], out: Tensor, edges: (Node | null)[]) {
    super(kind, args, inputs, edges);
    const saves = kind.saves;
    this.saved0 = savedOf(saves[0], inputs, out);
    this.saved1 = savedOf(saves[1], inputs, out);
    this.version0 = this.saved0._version;
    this.version1 = this.saved1._version;
  }

  protected override unpack(slot: number): Tensor {
    const isOut = this.kind.saves[slot] === 'out';
    // After releaseVariables both fields are null, and checkSaved reports the freed graph.
    return slot === 0
      ? checkSaved(this.saved0, this.version0, isOut, this)
      : checkSaved(this.saved1, this.version1, isOut, this);
  }

  override savedTensors(): Tensor[] {
    const out: Tensor[] = [];
    if (this.saved0 !== null) out.push(this.saved0);
    if (this.saved1 !== null) out.push(this.saved1);
    return out;
  }

  override releaseVariables(): void {
    this.saved0 = null;
    this.saved1 = null;
  }
}

/** The node recording `op` on `inputs`, of the class that holds just the saves it keeps. */
export function opNode<A>(
  op: Primitive<A>,
  args: A,
  inputs: Tensor[],
  out: Tensor,
  edges: (Node | null)[],
): OpNode<A> {
  const kind = kindOf(op, inputs, edges);
  if (kind.keep0 && kind.keep1) return new OpNodeKeepingTwo(kind, args, inputs, out, edges);
  if (kind.keep0 || kind.keep1) return new OpNodeKeepingOne(kind, args, inputs, out, edges);
  return new OpNode(kind, args, inputs, edges);
}

/**
 * Runs a primitive and, when grad mode is on and an input requires grad, records its node.
 */
export function apply<A>(op: Primitive<A>, inputs: Tensor[], args: A): Tensor {
  if (beforeOp !== null) beforeOp();
  const out = op.forward(inputs, args);
  if (!isGradEnabled()) return out;
  let any = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) any = true;
  if (!any) return out;
  const edges = new Array<Node | null>(inputs.length);
  for (let i = 0; i < inputs.length; i++) edges[i] = gradientEdge(inputs[i]);
  const node = opNode(op, args, inputs, out, edges);
  out._setHistory(node);
  notifyNodeCreated(node, out);
  return out;
}

export { AccumulateGrad };
