// The primitive-op contract: each primitive declares, in one object, its PyTorch node name,
// its forward kernel, what it saves, and its backward in terms of differentiable tensor ops
// (so `createGraph` gives higher-order gradients for free). `apply` is the only place that
// records history.
import { AccumulateGrad, Node, SavedTensor, type Edge } from '../autograd/node';
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
  /** Which tensors backward needs: input indices or `'out'`. */
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
export function gradientEdge(t: Tensor): Edge {
  if (!t.requiresGrad) return [null, 0];
  if (t.gradFn !== null) return [t.gradFn, 0];
  return [t._accumulateGrad(), 0];
}

/** The node a primitive leaves in the graph. */
export class OpNode<A> extends Node {
  readonly op: Primitive<A>;
  readonly args: A;
  readonly shapes: (readonly number[])[];
  readonly dtypes: DType[];
  private saved: SavedTensor[] | null;

  constructor(op: Primitive<A>, args: A, inputs: Tensor[], out: Tensor, edges: Edge[]) {
    super(edges);
    this.op = op;
    this.args = args;
    const n = inputs.length;
    this.shapes = new Array(n);
    this.dtypes = new Array(n);
    for (let i = 0; i < n; i++) {
      this.shapes[i] = inputs[i].shape;
      this.dtypes[i] = inputs[i].dtype;
    }
    const saves = op.saves;
    if (saves === undefined) this.saved = null;
    else {
      this.saved = new Array(saves.length);
      for (let i = 0; i < saves.length; i++) {
        const s = saves[i];
        this.saved[i] = s === 'out' ? new SavedTensor(out, true) : new SavedTensor(inputs[s], false);
      }
    }
  }

  name(): string {
    return this.op.name;
  }

  apply(grad: Tensor): (Tensor | null)[] {
    const saved: Tensor[] = [];
    if (this.saved !== null) for (const s of this.saved) saved.push(s.unpack(this));
    const needs = this.nextFunctions.map((e) => e[0] !== null);
    return this.op.backward(grad, { saved, shapes: this.shapes, needs, args: this.args });
  }

  override inputMeta(index: number): { readonly shape: readonly number[]; readonly dtype: DType } {
    return { shape: this.shapes[index], dtype: this.dtypes[index] };
  }

  override savedTensors(): Tensor[] {
    const out: Tensor[] = [];
    if (this.saved !== null) for (const s of this.saved) {
      const t = s.peek();
      if (t !== null) out.push(t);
    }
    return out;
  }

  override releaseVariables(): void {
    if (this.saved !== null) for (const s of this.saved) s.release();
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
  const edges = new Array<Edge>(inputs.length);
  for (let i = 0; i < inputs.length; i++) edges[i] = gradientEdge(inputs[i]);
  const node = new OpNode(op, args, inputs, out, edges);
  out._setHistory(node);
  notifyNodeCreated(node, out);
  return out;
}

export { AccumulateGrad };
