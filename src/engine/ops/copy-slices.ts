// In-place ops on views, as PyTorch records them. Writing through a view rewrites the history
// of the view's base: the base's gradFn becomes a CopySlices node that wraps the in-place op's
// node, and every view of that base then takes its history from the base again, through an
// AsStridedBackward0 node (PyTorch 1.13 regenerates views that way unless view replay is on).
import { Node } from '../autograd/node';
import { allocate, type DType } from '../dtype';
import { numelOf } from '../shape';
import { Tensor } from '../tensor';
import { contiguousData, fromStorage } from './kernels';
import { apply, gradientEdge, notifyNodeCreated, opNode, type Primitive } from './op';

/** Where a view's elements sit in its base: for each view element (row-major), the base's flat index. */
export interface ViewGeometry {
  readonly index: Int32Array;
  readonly viewShape: readonly number[];
  readonly baseShape: readonly number[];
}

export function viewGeometry(base: Tensor, view: Tensor): ViewGeometry {
  // Each element's storage position, read through the tensor's strides from a storage of positions.
  const iota = new Float64Array(base._data.length);
  for (let i = 0; i < iota.length; i++) iota[i] = i;
  const positions = (t: Tensor): ArrayLike<number> =>
    contiguousData(new Tensor(iota, t.shape, t._strides, t._offset, 'float64'));
  const flatAt = new Int32Array(iota.length).fill(-1);
  const basePositions = positions(base);
  for (let i = 0; i < basePositions.length; i++) flatAt[basePositions[i]] = i;
  const viewPositions = positions(view);
  const index = new Int32Array(viewPositions.length);
  for (let j = 0; j < index.length; j++) index[j] = flatAt[viewPositions[j]];
  return { index, viewShape: view.shape.slice(), baseShape: base.shape.slice() };
}

/** The view's elements out of a base-shaped tensor (a copy: only backward passes use it). */
export const AsStrided: Primitive<ViewGeometry> = {
  name: 'AsStridedBackward0',
  arity: 1,
  forward: ([a], { index, viewShape }) => {
    const from = contiguousData(a);
    const out = allocate(a.dtype, index.length);
    for (let j = 0; j < index.length; j++) out[j] = from[index[j]];
    return fromStorage(out, viewShape.slice(), a.dtype);
  },
  backward: (g, { args }) => [apply(AsStridedScatter, [g], args)],
};

/** A view-shaped gradient placed into base-shaped zeros: AsStrided's backward. */
const AsStridedScatter: Primitive<ViewGeometry> = {
  name: 'AsStridedScatterBackward0',
  arity: 1,
  forward: ([g], { index, baseShape }) => {
    const from = contiguousData(g);
    const out = allocate(g.dtype, numelOf(baseShape));
    for (let j = 0; j < index.length; j++) out[index[j]] += from[j];
    return fromStorage(out, baseShape.slice(), g.dtype);
  },
  backward: (gg, { args }) => [apply(AsStrided, [gg], args)],
};

const MULTI_OUTPUT_VIEW_ADVICE =
  'This view is the output of a function that returns multiple views. Such functions do not allow the output views to be modified inplace. You should replace the inplace operation by an out-of-place one.';

/**
 * PyTorch's refusal of a piece of `chunk`/`split` (or a view of one) written in place
 * ('view'), or used after its base was ('base').
 */
export function multiOutputViewError(view: Tensor, written: 'view' | 'base'): Error {
  const node = view._gradFn === null ? 'None' : view._gradFn.name();
  const what =
    written === 'view'
      ? 'is being modified inplace'
      : 'its base or another view of its base has been modified inplace';
  return new Error(
    `Output ${view._outputNr} of ${node} is a view and ${what}. ${MULTI_OUTPUT_VIEW_ADVICE}`,
  );
}

/** The history PyTorch gives a view whose base changed in place: AsStridedBackward0 from the base. */
export function regeneratedViewNode(base: Tensor, view: Tensor): Node {
  const node = opNode(AsStrided, viewGeometry(base, view), [base], view, [gradientEdge(base)]);
  notifyNodeCreated(node, view);
  return node;
}

/**
 * PyTorch's CopySlices: the base's node after an in-place op on one of its views. Backward
 * runs the wrapped op's node on the view's part of the gradient and puts its result back in
 * place; the rest of the base's gradient passes through unchanged. Its edges are the base's
 * previous history and the wrapped node's other inputs.
 */
export class CopySlices extends Node {
  private keep: Tensor | null = null;

  constructor(
    base: Tensor,
    private readonly geometry: ViewGeometry,
    /** The node the in-place op recorded, as if it had been applied to the view alone. */
    readonly fn: Node,
    private readonly baseDtype: DType,
  ) {
    const edges: (Node | null)[] = [gradientEdge(base)];
    const nrs = [base._outputNr];
    for (let i = 1; i < fn._edgeCount; i++) {
      edges.push(fn._edge(i));
      nrs.push(fn._edgeNr(i));
    }
    super(edges, undefined, nrs.some((nr) => nr !== 0) ? nrs : null);
  }

  name(): string {
    return 'torch::autograd::CopySlices';
  }

  apply(grad: Tensor): (Tensor | null)[] {
    const slice = apply(AsStrided, [grad], this.geometry);
    const res = this.fn.apply(slice);
    let gradBase: Tensor | null = null;
    if (this._next0 !== null) {
      // The view's elements were overwritten: their gradient comes from the op alone.
      gradBase = grad.mul(this.keepMask());
      const self = res[0] ?? null;
      if (self !== null) gradBase = gradBase.add(apply(AsStridedScatter, [self], this.geometry));
    }
    const out: (Tensor | null)[] = [gradBase];
    for (let i = 1; i < this._edgeCount; i++) out.push(res[i] ?? null);
    return out;
  }

  /** Ones over the base, zeros where the view lies. */
  private keepMask(): Tensor {
    if (this.keep === null) {
      const { index, baseShape } = this.geometry;
      const mask = allocate(this.baseDtype, numelOf(baseShape)).fill(1);
      for (let j = 0; j < index.length; j++) mask[index[j]] = 0;
      this.keep = fromStorage(mask, baseShape.slice(), this.baseDtype);
    }
    return this.keep;
  }

  override inputShape(index: number): readonly number[] | null {
    return index === 0 ? this.geometry.baseShape : this.fn.inputShape(index);
  }

  override inputDtype(index: number): DType | null {
    return index === 0 ? this.baseDtype : this.fn.inputDtype(index);
  }

  override savedTensors(): Tensor[] {
    return this.fn.savedTensors();
  }

  override releaseVariables(): void {
    this.fn.releaseVariables();
  }
}

/** Records an in-place op `fn` on `view` as a rewrite of its base's history. */
export function rebaseHistory(base: Tensor, view: Tensor, fn: Node): void {
  const node = new CopySlices(base, viewGeometry(base, view), fn, base.dtype);
  base._setHistory(node);
  notifyNodeCreated(node, base);
  // The view's own history now comes from its base; made here so it is located at the write.
  view._regenerateViewHistory();
}
