// User-defined autograd functions (PyTorch's torch.autograd.Function).
import type { DType } from '../dtype';
import { noGrad, isGradEnabled } from '../grad-mode';
import { gradientEdge, notifyNodeCreated } from '../ops/op';
import { Tensor } from '../tensor';
import { nodeRepr } from '../print/node-text';
import { Node, outputNrsOf, SavedTensor } from './node';

/**
 * The `ctx` passed to a custom Function's forward and backward.
 * @example
 * class Square extends torch.autograd.Function {
 *   static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) { ctx.saveForBackward(x); return x.mul(x); }
 *   static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) { const [x] = ctx.savedTensors; return g.mul(x).mul(2); }
 * }
 */
export class FunctionCtx {
  private saved: SavedTensor[] = [];
  /** @internal */
  _node: Node | null = null;
  /** Which forward inputs need a gradient (PyTorch's `ctx.needs_input_grad`). */
  needsInputGrad: boolean[] = [];
  /** Anything else forward wants to hand to backward. */
  [key: string]: unknown;

  /** Saves tensors for backward, checked against in-place modification. @example ctx.saveForBackward(x, y); */
  saveForBackward(...tensors: Tensor[]): void {
    this.saved = tensors.map((t) => new SavedTensor(t, false));
  }

  /** The tensors given to `saveForBackward`. @example const [x] = ctx.savedTensors; */
  get savedTensors(): Tensor[] {
    const node = this._node;
    // The node exists once forward has returned; PyTorch has no saved tensors to give before.
    if (node === null) throw new Error('ctx.savedTensors can be read in backward only');
    return this.saved.map((s) => s.unpack(node));
  }

  /** @internal */
  _release(): void {
    for (const s of this.saved) s.release();
  }

  /** @internal */
  _peek(): Tensor[] {
    return this.saved.map((s) => s.peek()).filter((t): t is Tensor => t !== null);
  }
}

class FunctionNode extends Node {
  constructor(
    private readonly fnName: string,
    private readonly ctx: FunctionCtx,
    private readonly backwardFn: (
      ctx: FunctionCtx,
      ...grads: Tensor[]
    ) => Tensor | null | (Tensor | null)[],
    private readonly tensorPositions: number[],
    private readonly metas: { shape: readonly number[]; dtype: DType }[],
    edges: (Node | null)[],
    edgeNrs: number[] | null,
  ) {
    super(edges, undefined, edgeNrs);
  }

  name(): string {
    return this.fnName;
  }

  /** Python names the node classes of custom Functions by their module. */
  override toString(): string {
    return nodeRepr(this, 'torch.autograd.function.');
  }

  apply(grad: Tensor): (Tensor | null)[] {
    const result = this.backwardFn(this.ctx, grad);
    const all = Array.isArray(result) ? result : [result];
    // backward returns one value per forward argument; keep those of tensor arguments.
    return this.tensorPositions.map((p) => all[p] ?? null);
  }

  override inputShape(index: number): readonly number[] {
    return this.metas[index].shape;
  }

  override inputDtype(index: number): DType {
    return this.metas[index].dtype;
  }

  override savedTensors(): Tensor[] {
    return this.ctx._peek();
  }

  override releaseVariables(): void {
    this.ctx._release();
  }
}

/**
 * Base class for custom differentiable operations: subclass with static `forward(ctx, ...)`
 * and `backward(ctx, ...grads)`, then call `MyFn.apply(...)`. Its node is named `MyFnBackward`.
 *
 * @example
 * class Exp extends torch.autograd.Function {
 *   static forward(ctx: torch.autograd.FunctionCtx, x: torch.Tensor) {
 *     const y = x.exp();
 *     ctx.saveForBackward(y);
 *     return y;
 *   }
 *   static backward(ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
 *     return g.mul(ctx.savedTensors[0]);
 *   }
 * }
 * const y = Exp.apply(torch.tensor([1], { requiresGrad: true }));
 */
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- PyTorch's API: users subclass it and override its static methods
export class Function {
  static forward(_ctx: FunctionCtx, ..._args: unknown[]): Tensor {
    throw new Error('You must implement the forward function for custom autograd.Function.');
  }

  static backward(_ctx: FunctionCtx, ..._grads: Tensor[]): Tensor | null | (Tensor | null)[] {
    throw new Error(
      'You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.',
    );
  }

  /** Runs forward without recording its inner ops, and records one node for the whole call. */
  static apply(this: typeof Function, ...args: unknown[]): Tensor {
    const ctx = new FunctionCtx();
    const tensorPositions: number[] = [];
    const tensors: Tensor[] = [];
    args.forEach((a, i) => {
      if (a instanceof Tensor) {
        tensorPositions.push(i);
        tensors.push(a);
      }
    });
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && a.requiresGrad);
    const out = noGrad(() => this.forward(ctx, ...args));
    if (!(out instanceof Tensor)) throw new Error(`${this.name}.forward must return a Tensor`);
    if (!isGradEnabled() || !tensors.some((t) => t.requiresGrad)) return out;
    // An output that is an input (or a view of one) must not be rewired: return a fresh alias.
    const result = tensors.includes(out) ? out.detach() : out;
    const node = new FunctionNode(
      `${this.name}Backward`,
      ctx,
      this.backward.bind(this),
      tensorPositions,
      tensors.map((t) => ({ shape: t.shape, dtype: t.dtype })),
      tensors.map(gradientEdge),
      outputNrsOf(tensors),
    );
    ctx._node = node;
    result._setHistory(node);
    notifyNodeCreated(node, result);
    return result;
  }
}
