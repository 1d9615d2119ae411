// The primitive-op contract: each primitive declares, in one object, its PyTorch node name,
// its forward kernel, what it saves, and its backward in terms of differentiable tensor ops
// (so `createGraph` gives higher-order gradients for free). `apply` is the only place that
// records history.
import { AccumulateGrad, checkSaved, Node } from '../autograd/node';
import type { DType } from '../dtype';
import { isGradEnabled } from '../grad-mode';
import type { Tensor } from '../tensor';

/** What a primitive's backward receives besides the output gradient. */
export interface BackwardContext<A> {
  /** The tensors named in `saves`, in that order, version-checked. */
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
  /** Gradients for each input (null where not needed), from the gradient of the output. */
  backward(grad: Tensor, ctx: BackwardContext<A>): (Tensor | null)[];
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
 * The node a primitive leaves in the graph. Saved tensors and input shapes sit in fields
 * rather than arrays of objects: a long chain keeps one node per op alive, and every
 * object saved here is one less for the garbage collector to copy.
 */
export class OpNode<A> extends Node {
  readonly op: Primitive<A>;
  readonly args: A;
  private readonly shape0: readonly number[];
  private readonly shape1: readonly number[] | null;
  private readonly shapesN: (readonly number[])[] | null;
  /** Input dtypes, kept only when some input's dtype differs from the output's. */
  private readonly dtypes: DType[] | null;
  private readonly outDtype: DType;
  private saved0: Tensor | null = null;
  private saved1: Tensor | null = null;
  private readonly version0: number = 0;
  private readonly version1: number = 0;
  private freed = false;

  constructor(op: Primitive<A>, args: A, inputs: Tensor[], out: Tensor, edges: (Node | null)[]) {
    super(edges);
    this.op = op;
    this.args = args;
    const n = inputs.length;
    this.shape0 = inputs[0].shape;
    this.shape1 = n > 1 ? inputs[1].shape : null;
    this.shapesN = n > 2 ? inputs.map((t) => t.shape) : null;
    this.outDtype = out.dtype;
    let mixed = false;
    for (let i = 0; i < n; i++) if (inputs[i].dtype !== out.dtype) mixed = true;
    this.dtypes = mixed ? inputs.map((t) => t.dtype) : null;
    const saves = op.saves;
    if (saves !== undefined && saves.length > 0) {
      const s0 = saves[0];
      this.saved0 = s0 === 'out' ? out : inputs[s0];
      this.version0 = this.saved0._version;
      if (saves.length > 1) {
        const s1 = saves[1];
        this.saved1 = s1 === 'out' ? out : inputs[s1];
        this.version1 = this.saved1._version;
      }
    }
  }

  name(): string {
    return this.op.name;
  }

  private get shapes(): (readonly number[])[] {
    return this.shapesN ?? (this.shape1 === null ? [this.shape0] : [this.shape0, this.shape1]);
  }

  apply(grad: Tensor): (Tensor | null)[] {
    const saves = this.op.saves;
    const saved: Tensor[] = [];
    if (saves !== undefined && saves.length > 0) {
      const owner = this;
      saved.push(checkSaved(this.freed ? null : this.saved0, this.version0, saves[0] === 'out', owner));
      if (saves.length > 1) saved.push(checkSaved(this.freed ? null : this.saved1, this.version1, saves[1] === 'out', owner));
    }
    const next = this._next;
    const needs = new Array<boolean>(next.length);
    for (let i = 0; i < next.length; i++) needs[i] = next[i] !== null;
    return this.op.backward(grad, { saved, shapes: this.shapes, needs, args: this.args });
  }

  override inputShape(index: number): readonly number[] {
    return this.shapesN !== null ? this.shapesN[index] : index === 0 ? this.shape0 : this.shape1!;
  }

  override inputDtype(index: number): DType {
    return this.dtypes === null ? this.outDtype : this.dtypes[index];
  }

  override savedTensors(): Tensor[] {
    const out: Tensor[] = [];
    if (this.saved0 !== null) out.push(this.saved0);
    if (this.saved1 !== null) out.push(this.saved1);
    return out;
  }

  override releaseVariables(): void {
    if (this.op.saves === undefined || this.op.saves.length === 0) return;
    this.freed = true;
    this.saved0 = null;
    this.saved1 = null;
  }
}

/**
 * Runs a primitive and, when grad mode is on and an input requires grad, records its node.
 */
export function apply<A>(op: Primitive<A>, inputs: Tensor[], args: A): Tensor {
  const out = op.forward(inputs, args);
  if (!isGradEnabled()) return out;
  let any = false;
  for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) any = true;
  if (!any) return out;
  const edges = new Array<Node | null>(inputs.length);
  for (let i = 0; i < inputs.length; i++) edges[i] = gradientEdge(inputs[i]);
  const node = new OpNode(op, args, inputs, out, edges);
  out._setHistory(node);
  notifyNodeCreated(node, out);
  return out;
}

export { AccumulateGrad };
