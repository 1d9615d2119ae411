// Optimizer base: parameter groups, zeroGrad, and per-parameter state. Updates run on raw
// storage (no history), in float32 arithmetic for float32 parameters as PyTorch's kernels do.
import { noGrad } from '../grad-mode';
import type { Tensor } from '../tensor';
import { optimizerText, type PyValue } from './repr';

/** A set of parameters sharing hyper-parameters. */
export interface ParamGroup<O> {
  params: Tensor[];
  options: O;
  /** The learning rate, readable and settable by schedulers and the training monitor. */
  lr: number;
}

/** Parameters, or groups of parameters with their own options. */
export type Params<O> =
  Iterable<Tensor> | ({ params: Iterable<Tensor>; [k: string]: unknown } & Partial<O>)[];

/**
 * Base class of the optimizers.
 * @example
 * const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export abstract class Optimizer<O extends { lr: number }> {
  readonly paramGroups: ParamGroup<O>[];
  /** Per-parameter state (momentum buffers, moments, step counts). */
  readonly state = new Map<Tensor, Record<string, unknown>>();

  constructor(params: Params<O>, defaults: O) {
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new Error('optimizer got an empty parameter list');
    const groups =
      list[0] !== null && typeof list[0] === 'object' && 'params' in list[0]
        ? (list as { params: Iterable<Tensor> }[])
        : [{ params: list as Tensor[] }];
    this.paramGroups = groups.map((g) => {
      const options = { ...defaults, ...g, params: undefined } as O;
      return { params: [...g.params], options, lr: options.lr };
    });
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (!p.isLeaf) throw new Error("can't optimize a non-leaf Tensor");
      }
    }
  }

  /** Sets every parameter's grad to null (PyTorch 2.x's default). @example opt.zeroGrad(); */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        const grad = p.grad;
        if (grad === null) continue;
        if (setToNone) p.grad = null;
        else noGrad(() => grad.zero_());
      }
    }
  }

  /** Applies one update from the current gradients. @example opt.step(); */
  step(): void {
    noGrad(() => {
      for (const g of this.paramGroups) {
        for (const p of g.params) {
          if (p.grad === null) continue;
          let s = this.state.get(p);
          if (s === undefined) this.state.set(p, (s = {}));
          this.update(p, p.grad, s, { ...g.options, lr: g.lr });
          p._bumpVersion();
        }
      }
    });
    Optimizer.onStep?.(this);
  }

  /** PyTorch's group keys with their defaults, for `print(optimizer)`'s text. */
  protected abstract readonly pythonDefaults: Readonly<Record<string, PyValue>>;

  /** PyTorch's `print(optimizer)`. @example console.log(String(opt)); */
  toString(): string {
    return optimizerText(this.constructor.name, this.pythonDefaults, this.paramGroups);
  }

  /** @internal console.log shows PyTorch's text. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  /** Updates one parameter in place, on its storage. */
  protected abstract update(
    p: Tensor,
    grad: Tensor,
    state: Record<string, unknown>,
    options: O,
  ): void;

  /** @internal Lets the runner record the learning rate of each step. */
  static onStep: ((opt: Optimizer<{ lr: number }>) => void) | null = null;
}

/**
 * A tensor's elements in row-major order. For a contiguous tensor (every parameter made by
 * a factory or a layer) this aliases its storage, so writing to it updates the tensor.
 */
export function flat(t: Tensor): Float32Array | Float64Array {
  if (!t.isContiguous()) {
    if (t.isLeaf && t.requiresGrad)
      throw new Error(
        'optimizers need contiguous parameters; pass param.contiguous() as a new leaf',
      );
    t = t.contiguous();
  }
  const d = t._data as Float32Array | Float64Array;
  return t._offset === 0 && d.length === t.numel()
    ? d
    : d.subarray(t._offset, t._offset + t.numel());
}
