// Float32 matrix products on the WebAssembly SIMD kernel in gemm.as. The engine keeps its
// TypeScript kernel (ops/linalg.ts gemmABt) as the portable path: this module answers
// `false` whenever it cannot or should not run, and the caller falls back.
import type { Tensor } from '../tensor';
import { contiguousData, isContiguous } from '../ops/kernels';
import { GEMM_WASM_BASE64 } from './gemm.generated';

/** Which matmul kernel runs float32 products: `'auto'` picks WASM SIMD where it pays. */
export type KernelBackend = 'auto' | 'wasm' | 'ts';

/**
 * Products smaller than this many multiply-adds (m·n·k) stay in TypeScript: below it, copying
 * operands into WebAssembly memory and packing them costs more than the faster loop saves.
 * Measured crossover on x64 (Node 20): 8×8×8 takes about 1.2 µs either way; at 16×16×16
 * WebAssembly is 3.7× faster, at 4×4×4 TypeScript is 5× faster.
 */
export const WASM_MIN_WORK = 8 * 8 * 8;

interface GemmExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  scratchBytes(): number;
  tileRows(): number;
  tileCols(): number;
  gemm(m: number, n: number, k: number, a: number, rsa: number, csa: number, b: number, rsb: number, csb: number, c: number, ldc: number, scratch: number): void;
}

let backend: KernelBackend | null = null;
/** `undefined`: not tried yet; `null`: unavailable here. */
let instance: GemmExports | null | undefined;
let heap: Float32Array | null = null;

function envBackend(): KernelBackend {
  // Read through globalThis so the engine never imports a Node module (it also runs in browsers).
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.GRADLENS_NO_WASM;
  return v !== undefined && v !== '' && v !== '0' ? 'ts' : 'auto';
}

/**
 * Chooses the matmul kernel for float32 products (internal: for tests and benchmarks).
 * `'ts'` forces the portable TypeScript kernel, as the environment variable
 * `GRADLENS_NO_WASM=1` does at start-up; `'wasm'` uses WebAssembly SIMD for every size it can;
 * `'auto'` (the default) uses it above a size threshold. Returns the backend now in effect
 * for products that WebAssembly can take: `'ts'` when WebAssembly SIMD is unavailable.
 *
 * @example
 * _setKernelBackend('ts'); // compare against the portable kernel
 * const y = a.mm(b);
 * _setKernelBackend('auto');
 */
export function _setKernelBackend(choice: KernelBackend): KernelBackend {
  if (choice !== 'auto' && choice !== 'wasm' && choice !== 'ts') {
    throw new Error(`_setKernelBackend(): expected 'auto', 'wasm' or 'ts' but got ${String(choice)}`);
  }
  backend = choice;
  if (choice === 'ts') return 'ts';
  return load() === null ? 'ts' : choice;
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Instantiates the kernel once; null where WebAssembly or its SIMD proposal is missing. */
function load(): GemmExports | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    if (typeof WebAssembly !== 'object') return null;
    const bytes = decodeBase64(GEMM_WASM_BASE64);
    // Validating the kernel itself is the feature test: it fails exactly where v128 is unknown.
    if (!WebAssembly.validate(bytes)) return null;
    // Synchronous compilation is fine for a module of a few KiB (browsers limit only big ones).
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as GemmExports;
    instance = exports;
  } catch {
    instance = null;
  }
  return instance;
}

/** Whether float32 products can run on WebAssembly SIMD here (internal). */
export function wasmSimdAvailable(): boolean {
  return load() !== null;
}

const align = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/** Products whose operands need more WebAssembly memory than this stay in TypeScript. */
const MAX_WASM_BYTES = 2 ** 31;

/** A view of WebAssembly memory with at least `bytes` bytes, growing the memory if needed. */
function heapOf(k: GemmExports, bytes: number): Float32Array | null {
  const mem = k.memory;
  if (mem.buffer.byteLength < bytes) {
    try {
      mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
    } catch {
      return null; // past the 4 GiB of wasm32, or the host refused: the caller falls back.
    }
  }
  if (heap === null || heap.buffer !== mem.buffer) heap = new Float32Array(mem.buffer);
  return heap;
}

/** A 2-D float32 operand as storage plus whether it holds the matrix transposed (row-major). */
function operand(t: Tensor): { data: Float32Array; transposed: boolean } {
  const [rows, cols] = t.shape;
  const n = rows * cols;
  if (isContiguous(t)) return { data: t._data.subarray(t._offset, t._offset + n) as Float32Array, transposed: false };
  if (t._strides[0] === 1 && (t._strides[1] === rows || cols === 1)) {
    return { data: t._data.subarray(t._offset, t._offset + n) as Float32Array, transposed: true };
  }
  return { data: contiguousData(t) as Float32Array, transposed: false };
}

/**
 * c[m,n] += a[m,k]·b[k,n] on the WebAssembly kernel, for float32 2-D tensors (any strides).
 * `cIsZero` says c holds only zeros, which saves copying it in. Returns false, leaving c
 * untouched, when the TypeScript kernel should do the product instead.
 */
export function wasmMatmul(a: Tensor, b: Tensor, c: Float32Array, cIsZero: boolean): boolean {
  if (backend === null) backend = envBackend();
  if (backend === 'ts') return false;
  const [m, k] = a.shape;
  const n = b.shape[1];
  if (m === 0 || n === 0 || k === 0) return false;
  if (backend === 'auto' && m * n * k < WASM_MIN_WORK) return false;
  const kern = load();
  if (kern === null) return false;

  const mr = kern.tileRows();
  const nr = kern.tileCols();
  const ldc = Math.ceil(n / nr) * nr;
  const rows = Math.ceil(m / mr) * mr;
  const aOff = align(kern.heapBase());
  const bOff = aOff + align(m * k * 4);
  const cOff = bOff + align(k * n * 4);
  const sOff = cOff + align(rows * ldc * 4);
  if (sOff + kern.scratchBytes() > MAX_WASM_BYTES) return false;
  const mem = heapOf(kern, sOff + kern.scratchBytes());
  if (mem === null) return false;

  const A = operand(a);
  const B = operand(b);
  mem.set(A.data, aOff >> 2);
  mem.set(B.data, bOff >> 2);
  const c0 = cOff >> 2;
  if (ldc === n) {
    if (cIsZero) mem.fill(0, c0, c0 + m * n);
    else mem.set(c, c0);
  } else if (cIsZero) {
    mem.fill(0, c0, c0 + m * ldc);
  } else {
    for (let i = 0; i < m; i++) mem.set(c.subarray(i * n, i * n + n), c0 + i * ldc);
  }
  // Element strides: A(i,p) at i·rsa + p·csa, B(p,j) at p·rsb + j·csb.
  const [rsa, csa] = A.transposed ? [1, m] : [k, 1];
  const [rsb, csb] = B.transposed ? [1, k] : [n, 1];
  kern.gemm(m, n, k, aOff, rsa, csa, bOff, rsb, csb, cOff, ldc, sOff);
  if (ldc === n) c.set(mem.subarray(c0, c0 + m * n));
  else for (let i = 0; i < m; i++) c.set(mem.subarray(c0 + i * ldc, c0 + i * ldc + n), i * n);
  return true;
}
