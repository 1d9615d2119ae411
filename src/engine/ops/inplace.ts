// In-place ops. The new values are computed out of place (so each in-place op reuses its
// out-of-place primitive, and its node when history is recorded), then written into the
// target's storage and its version counter bumped, which is what lets saved-tensor checks
// catch a modification before backward.
import { isFloating, type DType } from '../dtype';
import { isGradEnabled, noGrad } from '../grad-mode';
import { checkInplaceShape, Tensor } from '../tensor';
import { multiOutputViewError, rebaseHistory } from './copy-slices';
import { broadcastView, contiguousData, scatterStrided, unaryKernel } from './kernels';
import { apply, type Primitive } from './op';
import { sumTo } from './reduce';

function writeInto(target: Tensor, result: Tensor): void {
  checkInplaceShape(target, result);
  if (!isFloating(target.dtype) && isFloating(result.dtype)) {
    throw new Error(
      `result type Float can't be cast to the desired output type ${target.dtype === 'int64' ? 'Long' : 'Bool'}`,
    );
  }
  scatterStrided(target, contiguousData(broadcastView(result, target.shape)));
  target._bumpVersion();
}

/** A copy of `t`'s current values that keeps `t`'s history, to be saved by the op's node. */
function snapshot(t: Tensor): Tensor {
  const copy = Tensor._fromFlat(contiguousData(t).slice(), t.shape.slice(), t.dtype);
  if (t.gradFn !== null) copy._setHistory(t.gradFn, t._outputNr);
  return copy;
}

/** A write through a view whose elements share memory (an expanded dim) is refused, as PyTorch does. */
function checkNoInternalOverlap(target: Tensor): void {
  for (let d = 0; d < target.dim(); d++) {
    if (target._strides[d] === 0 && target.shape[d] > 1) {
      throw new Error(
        'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.',
      );
    }
  }
}

/**
 * Applies `compute` to `target` in place, refusing a target whose elements overlap unless
 * `overlapAllowed`. With grad mode on, PyTorch's rules hold: a leaf that requires grad cannot
 * be modified, a non-leaf takes the op's node as its new gradFn, and a view's base takes a
 * CopySlices node wrapping it (src/engine/ops/copy-slices.ts).
 */
export function inplace<T extends Tensor>(
  target: T,
  compute: (self: Tensor) => Tensor,
  // fill_ and zero_ write one value everywhere, so PyTorch lets them through an overlap.
  overlapAllowed = false,
): T {
  if (!overlapAllowed) checkNoInternalOverlap(target);
  if (!isGradEnabled()) {
    writeInto(target, compute(target));
    return target;
  }
  if (target.requiresGrad && target.isLeaf) {
    throw new Error('a leaf Variable that requires grad is being used in an in-place operation.');
  }
  const base = target._base;
  if (base !== null) checkViewWritable(target, base);
  // Compute from a snapshot so nodes that save `self` keep the values from before the write.
  const result = compute(snapshot(target));
  writeInto(target, result);
  const fn = result.gradFn;
  if (fn !== null) {
    if (base === null) target._setHistory(fn);
    else rebaseHistory(base, target, fn);
  }
  return target;
}

/** PyTorch's refusals of in-place writes through views that would record history. */
function checkViewWritable(target: Tensor, base: Tensor): void {
  if (base.requiresGrad && base.isLeaf) {
    throw new Error(
      'a view of a leaf Variable that requires grad is being used in an in-place operation.',
    );
  }
  if (target._viewCreation === 'multiOutput' && target.requiresGrad) {
    throw multiOutputViewError(target, 'view');
  }
  if (target._viewCreation === 'noGrad' && base.requiresGrad) {
    throw new Error(
      "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).",
    );
  }
}

/** Replaces values: the gradient with respect to the old values is zero. */
function overwriter(name: string): Primitive<{ readonly values: Tensor }> {
  return {
    name,
    arity: 1,
    forward: ([self], { values }) => noGrad(() => values.expand(...self.shape).clone()),
    backward: (g) => [g.mul(0)],
  };
}

// PyTorch names each in-place overwrite after its own op: fill_(Scalar) is FillBackward2
// (FillBackward0 is the out-of-place torch.fill), zero_ is ZeroBackward0, and so on.
export const Fill = overwriter('FillBackward2');
export const Zero = overwriter('ZeroBackward0');
export const Normal = overwriter('NormalBackward0');
export const Uniform = overwriter('UniformBackward0');

export function overwrite(op: typeof Fill, self: Tensor, values: Tensor): Tensor {
  return apply(op, [self], { values });
}

/** `self.copy_(src)`: the gradient goes to `src`, summed to its shape. */
export const Copy: Primitive = {
  name: 'CopyBackwards',
  arity: 2,
  forward: ([self, src]) =>
    noGrad(() =>
      src
        .expand(...self.shape)
        .to(self.dtype)
        .clone(),
    ),
  backward: (g, { shapes, needs }) => [
    needs[0] ? g.mul(0) : null,
    needs[1] ? sumTo(g, shapes[1]) : null,
  ],
};

export function copyInto(self: Tensor, src: Tensor): Tensor {
  return apply(Copy, [self, src], undefined);
}

export const ToCopy: Primitive<{ readonly from: DType; readonly to: DType }> = {
  name: 'ToCopyBackward0',
  arity: 1,
  forward: ([a], { to }) => unaryKernel(a, to, to === 'bool' ? (x) => (x !== 0 ? 1 : 0) : (x) => x),
  backward: (g, { args: { from } }) => [g.to(from)],
};

export function castTo(t: Tensor, to: DType): Tensor {
  if (!isFloating(to) && t.requiresGrad && isGradEnabled()) {
    // PyTorch drops history when casting to an integer type.
    return noGrad(() => apply(ToCopy, [t], { from: t.dtype, to }));
  }
  return apply(ToCopy, [t], { from: t.dtype, to });
}
