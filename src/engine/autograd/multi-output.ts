// A node whose op returned several tensors (`chunk`, `split`): each output tensor has this
// node as its gradFn and its own output number, and backward receives one gradient per output.
import { allocate } from '../dtype';
import { Tensor } from '../tensor';
import { Node, type GradHook } from './node';

export abstract class MultiOutputNode extends Node {
  /** @internal The gradients that reached each output in the running backward, until it runs. */
  _outputGrads: (Tensor | null)[] | null = null;
  private outputHooks: (GradHook[] | null)[] | null = null;

  constructor(
    next: (Node | null)[],
    nextNrs: readonly number[] | null,
    private readonly outputShapes: readonly (readonly number[])[],
    private readonly outputDtype: Tensor['dtype'],
  ) {
    super(next, undefined, nextNrs);
  }

  override get numOutputs(): number {
    return this.outputShapes.length;
  }

  /** Gradients for each input from one gradient per output (zeros where none arrived). */
  abstract applyOutputs(grads: Tensor[]): (Tensor | null)[];

  /** A gradient for output 0 alone. */
  apply(grad: Tensor): (Tensor | null)[] {
    return this.applyOutputs(this._filled([grad]));
  }

  /**
   * @internal Adds `g` to output `nr`'s gradient. `_buffer` holds the first gradient that
   * arrived, only so that the engine's "has a gradient waiting" test holds for this node too.
   */
  _receive(nr: number, g: Tensor): void {
    const grads = (this._outputGrads ??= new Array<Tensor | null>(this.numOutputs).fill(null));
    const prev = grads[nr];
    grads[nr] = prev === null ? g : prev.add(g);
    this._buffer ??= g;
  }

  /**
   * @internal The waiting gradients after each output's tensor hooks, one per output, null
   * where none arrived; clears them.
   */
  _takeGrads(): (Tensor | null)[] {
    const grads = this._outputGrads ?? [];
    this._outputGrads = null;
    const hooked = grads.map((g, nr) => {
      const hooks = this.outputHooks?.[nr] ?? null;
      if (g === null || hooks === null) return g;
      for (const h of hooks.slice()) g = h(g) ?? g;
      return g;
    });
    return this.outputShapes.map((_, nr) => hooked[nr] ?? null);
  }

  /** @internal `grads` with zeros where none arrived (PyTorch's split backward fills those in the same way). */
  _filled(grads: readonly (Tensor | null)[]): Tensor[] {
    return this.outputShapes.map((shape, nr) => {
      const g = grads[nr] ?? null;
      if (g !== null) return g;
      const n = shape.reduce((p, q) => p * q, 1);
      return Tensor._fromFlat(allocate(this.outputDtype, n), shape.slice(), this.outputDtype);
    });
  }

  override _registerOutputHook(outputNr: number, fn: GradHook): { remove(): void } {
    const all = (this.outputHooks ??= new Array<GradHook[] | null>(this.numOutputs).fill(null));
    const hooks = (all[outputNr] ??= []);
    hooks.push(fn);
    return { remove: () => void hooks.splice(hooks.indexOf(fn) >>> 0, 1) };
  }
}
