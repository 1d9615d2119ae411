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

export function allocate(dtype: DType, n: number): Storage {
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
