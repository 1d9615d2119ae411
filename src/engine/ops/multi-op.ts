// Primitives that return several tensors from one node (`split`, `chunk`): PyTorch records
// one SplitBackward0 whose outputs are the pieces, each piece's gradFn that node with its own
// output number. Like `Primitive`, forward and backward side by side; nothing is saved.
import { MultiOutputNode } from '../autograd/multi-output';
import { outputNrsOf, type Node } from '../autograd/node';
import { isGradEnabled } from '../grad-mode';
import type { Tensor } from '../tensor';
import { gradientEdge, notifyNodeCreated } from './op';

export interface MultiPrimitive<A> {
  /** PyTorch's node class name, e.g. `'SplitBackward0'`. */
  readonly name: string;
  /** Number of differentiable tensor inputs. */
  readonly arity: number;
  /** Computes the outputs on raw storage; never records history. */
  forward(inputs: Tensor[], args: A): Tensor[];
  /** Gradients for each input, from one gradient per output (zeros where none arrived). */
  backward(
    grads: Tensor[],
    ctx: { readonly shapes: readonly (readonly number[])[]; readonly args: A },
  ): (Tensor | null)[];
}

class MultiOpNode<A> extends MultiOutputNode {
  constructor(
    readonly op: MultiPrimitive<A>,
    readonly args: A,
    private readonly shapes: readonly (readonly number[])[],
    inputs: Tensor[],
    outputs: Tensor[],
    edges: (Node | null)[],
  ) {
    super(
      edges,
      outputNrsOf(inputs),
      outputs.map((t) => t.shape),
      outputs[0].dtype,
    );
  }

  name(): string {
    return this.op.name;
  }

  applyOutputs(grads: Tensor[]): (Tensor | null)[] {
    return this.op.backward(grads, { shapes: this.shapes, args: this.args });
  }

  override inputShape(index: number): readonly number[] {
    return this.shapes[index];
  }
}

/** Runs a multi-output primitive and, when an input requires grad, records its one node. */
export function applyMulti<A>(op: MultiPrimitive<A>, inputs: Tensor[], args: A): Tensor[] {
  const outputs = op.forward(inputs, args);
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad) || outputs.length === 0)
    return outputs;
  const shapes = inputs.map((t) => t.shape);
  const node = new MultiOpNode(op, args, shapes, inputs, outputs, inputs.map(gradientEdge));
  outputs.forEach((t, nr) => t._setHistory(node, nr));
  notifyNodeCreated(node, outputs[0]);
  return outputs;
}
