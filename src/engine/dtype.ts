import { keepFreedBlocks, LARGE_STORAGE_BYTES } from './freed-blocks';

/**
 * Element types a tensor can hold. `int64` holds integer values (class indices, positions)
 * in an `Int32Array`: exact for |v| < 2^31, which covers every index a tensor here can have.
 * `bool` is what comparisons return.
 *
 * @example
 * const x = torch.tensor([1, 2], { dtype: 'float64' });
 * x.dtype; // 'float64'
 */
export type DType = 'float32' | 'float64' | 'int64' | 'bool';

/** The typed arrays that back tensor storage. */
export type Storage = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Bytes per element of each dtype's storage. */
const ELEMENT_BYTES: Record<DType, number> = { float32: 4, float64: 8, int64: 4, bool: 1 };

/**
 * Small storage is carved from shared slabs. V8 keeps a typed array of at most 64 bytes in
 * its heap, but gives a larger one a backing store of its own, allocated and later freed
 * outside the heap: for a 100-element tensor that costs ten times the arithmetic on it, and
 * small ops (a polynomial fit, a scalar loss's backward) allocate many. A view on a slab is
 * an ordinary heap object. Slabs are never reused: a fresh slab is zeroed, and a slab is
 * freed by the garbage collector when no view on it is left. Slabs are small, so a small
 * tensor kept alive holds at most one slab.
 */
const POOL_MIN_BYTES = 65;
const POOL_MAX_BYTES = 1024;
const SLAB_BYTES = 8192;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/** Reserves `bytes` in the current slab (a fresh one when it is full) and returns their offset. */
function carve(bytes: number): number {
  // Offsets stay 8-byte aligned, as a Float64Array view needs.
  const size = (bytes + 7) & ~7;
  if (slabUsed + size > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const offset = slabUsed;
  slabUsed += size;
  return offset;
}

/**
 * Storages with a backing store of their own allocated while a backward rule runs, listed for
 * the backward pass (autograd/grad-ownership.ts) while it watches; null otherwise. Slab views
 * are left out: copying one costs less than keeping track of it.
 */
let births: Storage[] | null = null;

/** Whether `allocate` lists a storage of this many bytes while watched (see watchAllocations). */
export function isWatchedSize(bytes: number): boolean {
  return bytes > POOL_MAX_BYTES;
}

/** Lists every storage of more than POOL_MAX_BYTES allocated from now on in `list`; null stops. */
export function watchAllocations(list: Storage[] | null): void {
  births = list;
}

export function allocate(dtype: DType, n: number): Storage {
  const bytes = n * ELEMENT_BYTES[dtype];
  if (bytes > POOL_MAX_BYTES) {
    if (bytes >= LARGE_STORAGE_BYTES) keepFreedBlocks();
    const storage = ownStorage(dtype, n);
    if (births !== null) births.push(storage);
    return storage;
  }
  if (bytes >= POOL_MIN_BYTES) {
    const offset = carve(bytes);
    switch (dtype) {
      case 'float32':
        return new Float32Array(slab, offset, n);
      case 'float64':
        return new Float64Array(slab, offset, n);
      case 'int64':
        return new Int32Array(slab, offset, n);
      case 'bool':
        return new Uint8Array(slab, offset, n);
    }
  }
  return ownStorage(dtype, n);
}

function ownStorage(dtype: DType, n: number): Storage {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int64':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
  }
}

/** Whether two storages share elements (slab views of different tensors share a buffer only). */
export function overlaps(a: Storage, b: Storage): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** PyTorch's type promotion for the dtypes we have: float64 > float32 > int64 > bool. */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int64';
}

/** The dtype a plain JS number takes when it meets a tensor of `dtype`. */
export function promoteScalar(dtype: DType, v: number): DType {
  if (isFloating(dtype)) return dtype;
  if (Number.isInteger(v)) return dtype === 'bool' ? 'int64' : dtype;
  return 'float32';
}

/** The name PyTorch prints for a dtype in error messages (`torch.FloatTensor`). */
export function legacyTypeName(dtype: DType): string {
  switch (dtype) {
    case 'float32':
      return 'torch.FloatTensor';
    case 'float64':
      return 'torch.DoubleTensor';
    case 'int64':
      return 'torch.LongTensor';
    case 'bool':
      return 'torch.BoolTensor';
  }
}

/** PyTorch's dtype constants: `torch.zeros(2, { dtype: torch.int64 })`. */
export const float32 = 'float32';
/** @example torch.ones(2, { dtype: torch.float }); */
export const float = 'float32';
/** @example torch.ones(2, { dtype: torch.float64 }); */
export const float64 = 'float64';
/** @example torch.ones(2, { dtype: torch.double }); */
export const double = 'float64';
/** @example torch.tensor([0, 2], { dtype: torch.int64 }); */
export const int64 = 'int64';
/** @example torch.tensor([0, 2], { dtype: torch.long }); */
export const long = 'int64';
/** @example torch.zeros(3, { dtype: torch.bool }); */
export const bool = 'bool';

const DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'bool'];

/** The PyTorch scalar type name, as kernel messages print it (`'Long'`). */
export function scalarTypeName(dtype: DType): string {
  return { float32: 'Float', float64: 'Double', int64: 'Long', bool: 'Bool' }[dtype];
}

/** `dtype` when it is one we have; otherwise PyTorch's argument error, naming `fn`. */
export function checkDtype(fn: string, dtype: unknown): DType {
  if (DTYPES.includes(dtype as DType)) return dtype as DType;
  const got = typeof dtype === 'string' ? `'${dtype}'` : String(dtype);
  throw new TypeError(
    `${fn}(): argument 'dtype' must be torch.dtype, not ${got} (the dtypes are torch.float32, torch.float64, torch.int64 and torch.bool)`,
  );
}
