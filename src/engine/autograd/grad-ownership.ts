// Which gradients of a backward pass nothing but the engine holds, so that AccumulateGrad can
// make one the leaf's `.grad` instead of copying it. PyTorch steals a gradient whose use count
// says nobody else has it (torch/csrc/autograd/functions/accumulate_grad.h); JavaScript has no
// use counts, so ownership is proven instead: a gradient is the engine's own when an op's
// backward rule made its storage while it ran, or when a rule passed on a view of a gradient
// the engine owned, and no other gradient that rule returned shares the storage.
import { isWatchedSize, watchAllocations, type Storage } from '../dtype';
import { isContiguous } from '../ops/kernels';
import type { Tensor } from '../tensor';
import type { Node } from './node';

export class GradOwnership {
  /** Gradients in flight that nothing outside the engine holds. */
  private readonly owned = new Set<Tensor>();
  /** Storages allocated by the rule running now. */
  private readonly born: Storage[] = [];
  /** The gradient the running node was given, if the engine owned it. */
  private gradOwned: Tensor | null = null;

  /**
   * Called before `node` runs on `grad`, which it uses up: nothing is owned through it
   * afterwards. Returns whether the node's results may be owned; if so, call `after` with them
   * (and `stop` if it throws).
   */
  before(node: Node, grad: Tensor): boolean {
    // A chain of small ops owns nothing: no hashing of every gradient for an empty set.
    this.gradOwned = this.owned.size > 0 && this.owned.delete(grad) ? grad : null;
    // Hooks see (and may keep) the node's gradients; a user's Function may keep what it makes.
    if (!node._mayOwnResults || node.preHooks !== null || node.postHooks !== null) return false;
    this.born.length = 0;
    watchAllocations(this.born);
    return true;
  }

  /** Notes which of the gradients the node returned are the engine's own. */
  after(out: readonly (Tensor | null)[]): void {
    watchAllocations(null);
    const passed = this.gradOwned;
    if (passed === null && this.born.length === 0) return;
    for (let i = 0; i < out.length; i++) {
      const g = out[i];
      if (g === null || sharedWithAnother(out, i)) continue;
      if (this.born.includes(g._data) || (passed !== null && g._data === passed._data))
        this.owned.add(g);
    }
    this.born.length = 0;
    this.gradOwned = null;
  }

  /** Stops listing allocations (a backward rule threw). */
  stop(): void {
    watchAllocations(null);
  }

  /** `sum`, made by adding `a` and `b` where two gradients meet, replaces them. */
  summed(a: Tensor, b: Tensor, sum: Tensor): void {
    if (this.owned.size > 0) {
      this.owned.delete(a);
      this.owned.delete(b);
    }
    // As for allocations: small sums are left to be copied, and a slab view shares its buffer
    // with other tensors' storage (only a buffer of its own is proof).
    const data = sum._data;
    if (
      isWatchedSize(data.byteLength) &&
      data.byteLength === data.buffer.byteLength &&
      data !== a._data &&
      data !== b._data
    )
      this.owned.add(sum);
  }

  /**
   * Whether `g` may become a leaf's `.grad` as it is: the engine's own, and laid out as the
   * copy would be (contiguous over its whole storage). Hands it over either way.
   */
  take(g: Tensor): boolean {
    return (
      this.owned.size > 0 &&
      this.owned.delete(g) &&
      g._offset === 0 &&
      g._data.length === g.numel() &&
      isContiguous(g)
    );
  }
}

/** Whether another of `grads` shares the storage of `grads[i]`. */
function sharedWithAnother(grads: readonly (Tensor | null)[], i: number): boolean {
  const buffer = grads[i]?._data.buffer;
  for (let j = 0; j < grads.length; j++)
    if (j !== i && grads[j]?._data.buffer === buffer) return true;
  return false;
}
