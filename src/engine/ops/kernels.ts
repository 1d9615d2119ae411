// Raw loops over tensor storage. Nothing here records history: primitives call these from
// their `forward`, and autograd sees only the primitive.
import { allocate, type DType, type Storage } from '../dtype';
import { wasmUnary, type SimdUnary } from '../wasm/math';
import { broadcastShapes, contiguousStrides, numelOf, sameShape } from '../shape';
import { Tensor } from '../tensor';

export function isContiguous(t: Tensor): boolean {
  const shape = t.shape;
  const strides = t._strides;
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

/** The tensor's elements in row-major order: its own storage when that already is, else a copy. */
export function contiguousData(t: Tensor): Storage {
  const n = t.numel();
  if (isContiguous(t)) {
    if (t._offset === 0 && t._data.length === n) return t._data;
    return t._data.subarray(t._offset, t._offset + n);
  }
  const out = allocate(t.dtype, n);
  gatherStrided(t._data, t._offset, t.shape, t._strides, out);
  return out;
}

/**
 * Walks a strided view row by row in row-major order: `row(base, o)` handles the innermost
 * dimension starting at storage index `base`, which is element `o` of the row-major order.
 * One callback per row, not per element, keeps the inner loops tight.
 */
function forEachRow(
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  row: (base: number, o: number) => void,
): void {
  const nd = shape.length;
  if (nd === 0) {
    row(offset, 0);
    return;
  }
  const inner = shape[nd - 1];
  const idx = new Array<number>(nd).fill(0);
  const total = numelOf(shape);
  let base = offset;
  for (let o = 0; o < total; o += inner) {
    row(base, o);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** Copies a strided view into `out` in row-major order. */
function gatherStrided(
  src: Storage,
  offset: number,
  shape: readonly number[],
  strides: readonly number[],
  out: Storage,
): void {
  const inner = shape.length === 0 ? 1 : shape[shape.length - 1];
  const step = shape.length === 0 ? 0 : strides[strides.length - 1];
  forEachRow(shape, strides, offset, (base, o) => {
    for (let j = 0, p = base; j < inner; j++, p += step) out[o + j] = src[p];
  });
}

/** Writes row-major `values` into the (possibly strided) elements of `dst`. */
export function scatterStrided(dst: Tensor, values: ArrayLike<number>): void {
  const data = dst._data;
  if (isContiguous(dst)) {
    const off = dst._offset;
    for (let i = 0; i < values.length; i++) data[off + i] = values[i];
    return;
  }
  const shape = dst.shape;
  const inner = shape[shape.length - 1];
  const step = dst._strides[shape.length - 1];
  forEachRow(shape, dst._strides, dst._offset, (base, o) => {
    for (let j = 0, p = base; j < inner; j++, p += step) data[p] = values[o + j];
  });
}

export function fromStorage(data: Storage, shape: number[], dtype: DType): Tensor {
  return new Tensor(data, shape, contiguousStrides(shape), 0, dtype);
}

/** The logistic function; Sigmoid passes this very object, so unaryKernel can recognise it. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Functions unaryKernel hands to WebAssembly SIMD for float32 tensors. */
const SIMD_UNARY = new Map<(x: number) => number, SimdUnary>([
  [Math.exp, 'exp'],
  [Math.tanh, 'tanh'],
  [sigmoid, 'sigmoid'],
]);

/** ReLU; Relu passes this very object, so unaryKernel runs it as a loop of its own. */
export const relu = (x: number): number => (x > 0 ? x : 0);

export function unaryKernel(a: Tensor, dtype: DType, f: (x: number) => number): Tensor {
  const src = contiguousData(a);
  const n = src.length;
  const out = allocate(dtype, n);
  const simd = dtype === 'float32' && src instanceof Float32Array ? SIMD_UNARY.get(f) : undefined;
  // A call per element of a function V8 cannot inline here returns a boxed number: the
  // commonest functions get loops with the operation written in.
  if (f === relu) for (let i = 0; i < n; i++) out[i] = src[i] > 0 ? src[i] : 0;
  else if (simd === undefined || !wasmUnary(simd, src as Float32Array, out as Float32Array))
    for (let i = 0; i < n; i++) out[i] = f(src[i]);
  // Shapes are never mutated in place, so the output can share the input's array.
  return fromStorage(out, a.shape, dtype);
}

/** `t` read as `shape` without copying or history (PyTorch's expand, as a raw view). */
export function broadcastView(t: Tensor, shape: number[]): Tensor {
  return t._view(shape, broadcastStrides(t, shape), t._offset);
}

/** Strides that read `t` as if it had `shape` (0 along broadcast dimensions). */
function broadcastStrides(t: Tensor, shape: readonly number[]): number[] {
  const nd = shape.length;
  const off = nd - t.shape.length;
  const out = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const d = i - off;
    out[i] = d < 0 || t.shape[d] === 1 ? 0 : t._strides[d];
  }
  return out;
}

/**
 * The four arithmetic functions. Primitives pass these very objects to binaryKernel, which
 * recognises them and runs a loop with the operator written in: a loop that calls `f` sees
 * every binary op's function at one call site, which V8 cannot inline (several times slower).
 */
export const add = (x: number, y: number): number => x + y;
export const sub = (x: number, y: number): number => x - y;
export const mul = (x: number, y: number): number => x * y;
export const div = (x: number, y: number): number => x / y;

/**
 * Fused backward loops of unary ops, (gradient, saved value) -> input gradient, recognised
 * by binaryKernel like the four above: ReLU's (from its output), tanh's and sigmoid's (from
 * their outputs).
 */
export const reluGrad = (g: number, y: number): number => (y > 0 ? g : 0);
export const tanhGrad = (g: number, y: number): number => g * (1 - y * y);
export const sigmoidGrad = (g: number, y: number): number => g * y * (1 - y);

/**
 * out[i] = f(ad[ao + i·as], bd[bo + i·bs]) for i < n when f is one of the four above (steps
 * are 0 for a broadcast scalar, 1 otherwise); false, writing nothing, for any other f.
 */
function arithLoop(
  f: (x: number, y: number) => number,
  out: Storage,
  ad: Storage,
  ao: number,
  as: number,
  bd: Storage,
  bo: number,
  bs: number,
  n: number,
): boolean {
  if (f === mul)
    for (let i = 0, p = ao, q = bo; i < n; i++, p += as, q += bs) out[i] = ad[p] * bd[q];
  else if (f === add)
    for (let i = 0, p = ao, q = bo; i < n; i++, p += as, q += bs) out[i] = ad[p] + bd[q];
  else if (f === sub)
    for (let i = 0, p = ao, q = bo; i < n; i++, p += as, q += bs) out[i] = ad[p] - bd[q];
  else if (f === div)
    for (let i = 0, p = ao, q = bo; i < n; i++, p += as, q += bs) out[i] = ad[p] / bd[q];
  else if (f === reluGrad)
    for (let i = 0, p = ao, q = bo; i < n; i++, p += as, q += bs) out[i] = bd[q] > 0 ? ad[p] : 0;
  else if (f === tanhGrad)
    for (let i = 0, p = ao, q = bo; i < n; i++, p += as, q += bs)
      out[i] = ad[p] * (1 - bd[q] * bd[q]);
  else if (f === sigmoidGrad)
    for (let i = 0, p = ao, q = bo; i < n; i++, p += as, q += bs)
      out[i] = ad[p] * bd[q] * (1 - bd[q]);
  else return false;
  return true;
}

export function binaryKernel(
  a: Tensor,
  b: Tensor,
  dtype: DType,
  f: (x: number, y: number) => number,
): Tensor {
  const shape = broadcastShapes(a.shape, b.shape);
  const n = numelOf(shape);
  const out = allocate(dtype, n);
  const ad = a._data;
  const bd = b._data;
  const aFull = sameShape(a.shape, shape) && isContiguous(a);
  const bFull = sameShape(b.shape, shape) && isContiguous(b);
  if (aFull && bFull) {
    const ao = a._offset;
    const bo = b._offset;
    if (!arithLoop(f, out, ad, ao, 1, bd, bo, 1, n))
      for (let i = 0; i < n; i++) out[i] = f(ad[ao + i], bd[bo + i]);
  } else if (aFull && b.numel() === 1) {
    const ao = a._offset;
    const y = bd[b._offset];
    if (!arithLoop(f, out, ad, ao, 1, bd, b._offset, 0, n))
      for (let i = 0; i < n; i++) out[i] = f(ad[ao + i], y);
  } else if (bFull && a.numel() === 1) {
    const bo = b._offset;
    const x = ad[a._offset];
    if (!arithLoop(f, out, ad, a._offset, 0, bd, bo, 1, n))
      for (let i = 0; i < n; i++) out[i] = f(x, bd[bo + i]);
  } else if (n > 0) {
    const nd = shape.length;
    const sa = broadcastStrides(a, shape);
    const sb = broadcastStrides(b, shape);
    const inner = shape[nd - 1];
    const ia = sa[nd - 1];
    const ib = sb[nd - 1];
    const idx = new Array<number>(nd).fill(0);
    let pa = a._offset;
    let pb = b._offset;
    let o = 0;
    while (o < n) {
      for (let j = 0, qa = pa, qb = pb; j < inner; j++, qa += ia, qb += ib)
        out[o++] = f(ad[qa], bd[qb]);
      let d = nd - 2;
      while (d >= 0) {
        idx[d]++;
        pa += sa[d];
        pb += sb[d];
        if (idx[d] < shape[d]) break;
        pa -= sa[d] * shape[d];
        pb -= sb[d] * shape[d];
        idx[d] = 0;
        d--;
      }
      if (d < 0) break;
    }
  }
  return fromStorage(out, shape, dtype);
}

/**
 * Views a contiguous tensor as [outer, size, inner] around `dim`, the layout every
 * reduction and softmax along one dimension walks.
 */
export function splitAround(shape: readonly number[], dim: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < dim; i++) outer *= shape[i];
  for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[dim], inner];
}
