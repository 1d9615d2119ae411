// Shape arithmetic shared by every op: broadcasting, strides and dimension wrapping,
// with PyTorch's error wording so users can search the messages.

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

const NO_STRIDES: number[] = [];
const UNIT_STRIDES: number[] = [1];

/** Row-major strides. Rank 0 and 1 share one array each: strides are never mutated. */
export function contiguousStrides(shape: readonly number[]): number[] {
  if (shape.length === 0) return NO_STRIDES;
  if (shape.length === 1) return UNIT_STRIDES;
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The broadcast shape; `a` itself when nothing changes (shapes are never mutated). */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  if (sameShape(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Wraps a possibly negative dim into [0, ndim), with PyTorch's IndexError text. */
export function wrapDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new Error(
      `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Resolves a single `-1` in a requested shape, as `view` and `reshape` do. */
export function inferShape(requested: readonly number[], numel: number): number[] {
  const shape = requested.slice();
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === -1) {
      if (infer >= 0) throw new Error('only one dimension can be inferred');
      infer = i;
    } else if (!Number.isInteger(shape[i]) || shape[i] < 0) {
      throw new Error(`invalid shape dimension ${shape[i]}`);
    } else known *= shape[i];
  }
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new Error(`shape '${formatShape(requested)}' is invalid for input of size ${numel}`);
    }
    shape[infer] = numel / known;
  } else if (known !== numel) {
    throw new Error(`shape '${formatShape(requested)}' is invalid for input of size ${numel}`);
  }
  return shape;
}

/**
 * Strides that let a tensor of `shape`/`strides` be viewed as `target` without copying, or
 * null when impossible: PyTorch's computeStride, which also allows views of expanded and
 * transposed tensors whenever the merged or split dimensions are contiguous among themselves.
 */
export function viewStrides(
  shape: readonly number[],
  strides: readonly number[],
  target: readonly number[],
): number[] | null {
  if (shape.length === 0) return target.map(() => 1);
  const numel = numelOf(shape);
  if (numel === 0) return sameShape(shape, target) ? strides.slice() : contiguousStrides(target);
  const out = new Array<number>(target.length);
  let viewD = target.length - 1;
  let chunkBase = strides[strides.length - 1];
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d];
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || target[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBase;
        viewNumel *= target[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = strides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  return viewD === -1 ? out : null;
}
