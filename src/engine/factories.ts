// Tensor creation: torch.tensor and the factory functions.
import { allocate, type DType, type Storage } from './dtype';
import { fillNormal, fillUniform, shuffledRange } from './random';
import { numelOf } from './shape';
import { Tensor, type NestedArray } from './tensor';

/** Options accepted by every factory. */
export interface TensorOptions {
  requiresGrad?: boolean;
  dtype?: DType;
}

type TypedInput =
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Uint32Array;

function finish(
  data: Storage,
  shape: number[],
  dtype: DType,
  options: TensorOptions | undefined,
): Tensor {
  const t = Tensor._fromFlat(data, shape, dtype);
  if (options?.requiresGrad) t.requiresGrad = true;
  return t;
}

function inferShape(data: NestedArray): number[] {
  const shape: number[] = [];
  let cur: NestedArray = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  return shape;
}

function flattenInto(
  data: NestedArray,
  shape: number[],
  depth: number,
  out: Storage,
  at: { i: number },
): void {
  if (depth === shape.length) {
    if (typeof data !== 'number' && typeof data !== 'boolean') {
      throw new Error(`Could not infer dtype of ${typeof data}`);
    }
    out[at.i++] = data; // a typed array stores a boolean as 0 or 1
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new Error(
      `expected sequence of length ${shape[depth]} at dim ${depth} (got ${Array.isArray(data) ? data.length : typeof data})`,
    );
  }
  for (const d of data) flattenInto(d, shape, depth + 1, out, at);
}

/**
 * Makes a tensor from a number, nested arrays or a typed array (copied).
 * @example
 * const x = torch.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * const labels = torch.tensor([0, 2, 1], { dtype: 'int64' });
 */
export function tensor(
  data: NestedArray | TypedInput | boolean | boolean[],
  options?: TensorOptions,
): Tensor {
  const dtype = options?.dtype ?? 'float32';
  if (ArrayBuffer.isView(data)) {
    const out = allocate(dtype, data.length);
    out.set(data);
    return finish(out, [data.length], dtype, options);
  }
  const nested = data as NestedArray;
  const shape = inferShape(nested);
  const out = allocate(dtype, numelOf(shape));
  flattenInto(nested, shape, 0, out, { i: 0 });
  return finish(out, shape, dtype, options);
}

/** Splits `(...shape, options?)` or `([shape], options?)` arguments. */
export type ShapeArgs = (number | number[] | TensorOptions | undefined)[];

function parseShape(args: ShapeArgs): [number[], TensorOptions | undefined] {
  let options: TensorOptions | undefined;
  const shape: number[] = [];
  for (const a of args) {
    if (a === undefined) continue;
    if (typeof a === 'number') shape.push(a);
    else if (Array.isArray(a)) shape.push(...a);
    else options = a;
  }
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0)
      throw new Error(
        `Trying to create tensor with negative dimension ${s}: [${shape.join(', ')}]`,
      );
  }
  return [shape, options];
}

function filled(args: ShapeArgs, value: number): Tensor {
  const [shape, options] = parseShape(args);
  const dtype = options?.dtype ?? 'float32';
  const data = allocate(dtype, numelOf(shape));
  if (value !== 0) data.fill(value);
  return finish(data, shape, dtype, options);
}

/** @example torch.zeros(2, 3); torch.zeros([2, 3], { dtype: 'float64' }); */
export function zeros(...args: ShapeArgs): Tensor {
  return filled(args, 0);
}

/** @example torch.ones(3, { requiresGrad: true }); */
export function ones(...args: ShapeArgs): Tensor {
  return filled(args, 1);
}

/** @example torch.full([2, 2], 7); */
export function full(shape: number[], value: number, options?: TensorOptions): Tensor {
  return filled([shape, options], value);
}

function random(args: ShapeArgs, fill: (d: Float32Array | Float64Array) => void): Tensor {
  const [shape, options] = parseShape(args);
  const dtype = options?.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new Error(`"check_uniform_bounds" not implemented for '${dtype}'`);
  const data = allocate(dtype, numelOf(shape)) as Float32Array | Float64Array;
  fill(data);
  return finish(data, shape, dtype, options);
}

/** Uniform samples in [0, 1), PyTorch's stream under `manualSeed`. @example torch.rand(2, 3); */
export function rand(...args: ShapeArgs): Tensor {
  return random(args, (d) => fillUniform(d, 0, 1));
}

/** Standard normal samples, PyTorch's stream under `manualSeed`. @example torch.randn(100, 1); */
export function randn(...args: ShapeArgs): Tensor {
  return random(args, (d) => fillNormal(d, 0, 1));
}

/**
 * Values from start (inclusive) to end (exclusive) by step; `arange(n)` is 0..n-1.
 * Integer arguments give int64, as in PyTorch.
 * @example torch.arange(5); torch.arange(0, 1, 0.25);
 */
export function arange(start: number, end?: number, step = 1, options?: TensorOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  const n = Math.max(0, Math.ceil((end - start) / step));
  const integral = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = options?.dtype ?? (integral ? 'int64' : 'float32');
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(data, [n], dtype, options);
}

/** `steps` evenly spaced values from start to end inclusive. @example torch.linspace(-Math.PI, Math.PI, 2000); */
export function linspace(
  start: number,
  end: number,
  steps: number,
  options?: TensorOptions,
): Tensor {
  const dtype = options?.dtype ?? 'float32';
  const data = allocate(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  // PyTorch fills the second half backwards from `end` so both endpoints are exact.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++)
    data[i] = i < half ? start + step * i : end - step * (steps - i - 1);
  return finish(data, [steps], dtype, options);
}

/** Identity matrix. @example torch.eye(3); torch.eye(2, 3); */
export function eye(n: number, m: number | TensorOptions = n, options?: TensorOptions): Tensor {
  if (typeof m !== 'number') [m, options] = [n, m];
  const dtype = options?.dtype ?? 'float32';
  const data = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return finish(data, [n, m], dtype, options);
}

/** @example torch.zerosLike(x); */
export function zerosLike(t: Tensor, options?: TensorOptions): Tensor {
  return zeros(t.shape, { dtype: t.dtype, ...options });
}

/** @example torch.onesLike(x); */
export function onesLike(t: Tensor, options?: TensorOptions): Tensor {
  return ones(t.shape, { dtype: t.dtype, ...options });
}

/** @example torch.randnLike(x); */
export function randnLike(t: Tensor, options?: TensorOptions): Tensor {
  return randn(t.shape, { dtype: t.dtype, ...options });
}

/** @example torch.fullLike(x, 2); */
export function fullLike(t: Tensor, value: number, options?: TensorOptions): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...options });
}

/** Uninitialised in PyTorch; zeros here, so nothing random leaks in. @example torch.empty(2, 3); */
export function empty(...args: ShapeArgs): Tensor {
  return filled(args, 0);
}

/**
 * A random permutation of 0..n-1 (int64), PyTorch's sequence under `manualSeed`.
 * @example const order = torch.randperm(600);
 */
export function randperm(n: number, options?: TensorOptions): Tensor {
  const perm = shuffledRange(n);
  const dtype = options?.dtype ?? 'int64';
  const data = allocate(dtype, n);
  data.set(perm);
  return finish(data, [n], dtype, options);
}
