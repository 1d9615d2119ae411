// Tensor creation: torch.tensor and the factory functions. Options are checked: an unknown
// key or dtype (a misspelt `torch.int64` is `undefined`) is an error, never ignored.
import {
  allocate,
  checkDtype,
  isFloating,
  scalarTypeName,
  type DType,
  type Storage,
} from './dtype';
import { fillNormal, fillUniform, shuffledRange, uniformInt } from './random';
import { arangeLength, fillArange, fillLinspace } from './ranges';
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

const OPTION_KEYS: readonly string[] = ['requiresGrad', 'dtype'];

/** `options` checked key by key; `dtype` is the given one or `fallback`. */
function readOptions(
  fn: string,
  options: TensorOptions | undefined,
  fallback: DType = 'float32',
): { dtype: DType; requiresGrad: boolean } {
  if (options === undefined) return { dtype: fallback, requiresGrad: false };
  for (const key of Object.keys(options))
    if (!OPTION_KEYS.includes(key))
      throw new TypeError(
        `${fn}() got an unexpected keyword argument '${key}' (its options are requiresGrad and dtype)`,
      );
  const { requiresGrad } = options;
  if (requiresGrad !== undefined && typeof requiresGrad !== 'boolean')
    throw new TypeError(
      `${fn}(): argument 'requiresGrad' must be bool, not ${typeof requiresGrad}`,
    );
  const dtype = 'dtype' in options ? checkDtype(fn, options.dtype) : fallback;
  return { dtype, requiresGrad: requiresGrad === true };
}

function finish(data: Storage, shape: number[], dtype: DType, requiresGrad: boolean): Tensor {
  const t = Tensor._fromFlat(data, shape, dtype);
  if (requiresGrad && !isFloating(dtype))
    throw new Error('Only Tensors of floating point and complex dtype can require gradients');
  if (requiresGrad) t.requiresGrad = true;
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
 * const labels = torch.tensor([0, 2, 1], { dtype: torch.int64 });
 */
export function tensor(
  data: NestedArray | TypedInput | boolean | boolean[],
  options?: TensorOptions,
): Tensor {
  const { dtype, requiresGrad } = readOptions('tensor', options);
  if (ArrayBuffer.isView(data)) {
    const out = allocate(dtype, data.length);
    out.set(data);
    return finish(out, [data.length], dtype, requiresGrad);
  }
  const nested = data as NestedArray;
  const shape = inferShape(nested);
  const out = allocate(dtype, numelOf(shape));
  flattenInto(nested, shape, 0, out, { i: 0 });
  return finish(out, shape, dtype, requiresGrad);
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

function filled(fn: string, args: ShapeArgs, value: number): Tensor {
  const [shape, options] = parseShape(args);
  const { dtype, requiresGrad } = readOptions(fn, options);
  const data = allocate(dtype, numelOf(shape));
  if (value !== 0) data.fill(value);
  return finish(data, shape, dtype, requiresGrad);
}

/** @example torch.zeros(2, 3); torch.zeros([2, 3], { dtype: torch.float64 }); */
export function zeros(...args: ShapeArgs): Tensor {
  return filled('zeros', args, 0);
}

/** @example torch.ones(3, { requiresGrad: true }); */
export function ones(...args: ShapeArgs): Tensor {
  return filled('ones', args, 1);
}

/** @example torch.full([2, 2], 7); */
export function full(shape: number[], value: number, options?: TensorOptions): Tensor {
  return filled('full', [shape, options], value);
}

function random(
  fn: string,
  kernel: string,
  args: ShapeArgs,
  fill: (d: Float32Array | Float64Array) => void,
): Tensor {
  const [shape, options] = parseShape(args);
  const { dtype, requiresGrad } = readOptions(fn, options);
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new Error(`"${kernel}" not implemented for '${scalarTypeName(dtype)}'`);
  const data = allocate(dtype, numelOf(shape)) as Float32Array | Float64Array;
  fill(data);
  return finish(data, shape, dtype, requiresGrad);
}

/** Uniform samples in [0, 1), PyTorch's stream under `manualSeed`. @example torch.rand(2, 3); */
export function rand(...args: ShapeArgs): Tensor {
  return random('rand', 'check_uniform_bounds', args, (d) => fillUniform(d, 0, 1));
}

/** Standard normal samples, PyTorch's stream under `manualSeed`. @example torch.randn(100, 1); */
export function randn(...args: ShapeArgs): Tensor {
  return random('randn', 'normal_kernel_cpu', args, (d) => fillNormal(d, 0, 1));
}

/**
 * Values from start (inclusive) to end (exclusive) by step; `arange(n)` is 0..n-1.
 * Integer arguments give int64, as in PyTorch; values are PyTorch's to the bit.
 * @example torch.arange(5); torch.arange(0, 1, 0.25);
 */
export function arange(start: number, end?: number, step = 1, options?: TensorOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  const integral = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const { dtype, requiresGrad } = readOptions('arange', options, integral ? 'int64' : 'float32');
  const data = allocate(dtype, arangeLength(start, end, step));
  fillArange(data, dtype, start, step);
  return finish(data, [data.length], dtype, requiresGrad);
}

/**
 * `steps` evenly spaced values from start to end inclusive, PyTorch's to the bit.
 * @example torch.linspace(-Math.PI, Math.PI, 2000);
 */
export function linspace(
  start: number,
  end: number,
  steps: number,
  options?: TensorOptions,
): Tensor {
  const { dtype, requiresGrad } = readOptions('linspace', options);
  if (!Number.isInteger(steps) || steps < 0)
    throw new Error('linspace(): number of steps must be non-negative');
  const data = allocate(dtype, steps);
  fillLinspace(data, dtype, start, end);
  return finish(data, [steps], dtype, requiresGrad);
}

/** Identity matrix. @example torch.eye(3); torch.eye(2, 3); */
export function eye(n: number, m: number | TensorOptions = n, options?: TensorOptions): Tensor {
  if (typeof m !== 'number') [m, options] = [n, m];
  const { dtype, requiresGrad } = readOptions('eye', options);
  const data = allocate(dtype, n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return finish(data, [n, m], dtype, requiresGrad);
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
  return filled('empty', args, 0);
}

/**
 * A random permutation of 0..n-1 (int64), PyTorch's sequence under `manualSeed`.
 * @example const order = torch.randperm(600);
 */
export function randperm(n: number, options?: TensorOptions): Tensor {
  const { dtype, requiresGrad } = readOptions('randperm', options, 'int64');
  const data = allocate(dtype, n);
  data.set(shuffledRange(n));
  return finish(data, [n], dtype, requiresGrad);
}

/**
 * Integers drawn uniformly from [low, high) (`low` defaults to 0), int64 unless a dtype is
 * given; PyTorch's stream under `manualSeed`, one 32-bit draw per element.
 * @example const ix = torch.randint(0, 1000, [32]); // a random minibatch's rows
 * @example torch.randint(10, [2, 3]);
 */
export function randint(high: number, size: number[], options?: TensorOptions): Tensor;
export function randint(low: number, high: number, size: number[], options?: TensorOptions): Tensor;
export function randint(
  a: number,
  b: number | number[],
  c?: number[] | TensorOptions,
  d?: TensorOptions,
): Tensor {
  const [low, high, size, options] = Array.isArray(b)
    ? [0, a, b, c as TensorOptions | undefined]
    : [a, b, c as number[], d];
  if (!Array.isArray(size))
    throw new TypeError('randint() missing the size argument (an array of dims)');
  if (!Number.isInteger(low) || !Number.isInteger(high))
    throw new TypeError('randint(): low and high must be integers');
  if (low >= high)
    throw new Error(
      `random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`,
    );
  const { dtype, requiresGrad } = readOptions('randint', options, 'int64');
  const data = allocate(dtype, numelOf(size));
  for (let i = 0; i < data.length; i++) data[i] = uniformInt(low, high - low);
  return finish(data, size.slice(), dtype, requiresGrad);
}
