// Float32 matrix products on the WebAssembly SIMD kernel in gemm.as, split over worker threads
// when they are large. The engine keeps its TypeScript kernel (ops/linalg.ts gemmABt) as the
// portable path: this module answers `false` whenever it cannot or should not run, and the
// caller falls back.
import type { Tensor } from '../tensor';
import { contiguousData, isContiguous } from '../ops/kernels';
import { align, heapOf, kernelBackend, simd } from './module';
import { releaseWhenIdle } from './memory-release';
import {
  packedBytes,
  poolThreads,
  readyThreads,
  runGemm,
  type RowCopy,
  type CopyOut,
} from './threads';

/**
 * Products smaller than this many multiply-adds (m·n·k) stay in TypeScript: below it, copying
 * operands into WebAssembly memory and packing them costs more than the faster loop saves.
 * Measured on x64 (Node 20), 8×8×8 takes as long either way; 16×16×16 is clearly faster in
 * WebAssembly and 4×4×4 clearly faster in TypeScript.
 */
export const WASM_MIN_WORK = 8 * 8 * 8;

/**
 * Outer products (k = 1) and matrix-vector products (n = 1) smaller than this stay in
 * TypeScript: the kernel pads them to whole 4×8 tiles, wasting most of its lanes, and the
 * copies cost more than the arithmetic (100×1×10 is slower here than in TypeScript).
 */
const WASM_MIN_THIN_WORK = 1 << 16;

/**
 * Products are split over threads only in parts of at least this many multiply-adds: handing
 * a smaller part to a worker, let alone waking a sleeping one, costs more than it saves.
 * Measured with bench/matmul-threads.mjs on 2 cores (x64, Node 20), with B packed once for
 * both threads and the product cut into units: 128³ (2²¹) ran slower on two threads than on
 * one, 192³ 1.3x and 256³-512³ 1.4-1.5x faster.
 */
export const THREAD_MIN_WORK = 1 << 21;

/**
 * Nor is a product with a side this short: a training step's batch of 64 (W1's 64x784x256
 * and its gradients) ran slower on two threads than on one, the blocks of C too thin to share.
 */
export const THREAD_MIN_SIDE = 128;

/** A 2-D float32 operand as storage plus whether it holds the matrix transposed (row-major). */
function operand(t: Tensor): { data: Float32Array; transposed: boolean } {
  const [rows, cols] = t.shape;
  const n = rows * cols;
  if (isContiguous(t))
    return { data: t._data.subarray(t._offset, t._offset + n) as Float32Array, transposed: false };
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
  return product(a, b, c, cIsZero) !== null;
}

/**
 * a[m,k]·b[k,n] on the WebAssembly kernel into a new array from `allocateC` (m·n zeros), or
 * null, having allocated nothing, when the TypeScript kernel should do the product instead.
 * On worker threads the array is allocated while they pack B: zeroing 4 MB for a 1024x1024
 * product would otherwise keep the workers waiting.
 */
export function wasmProduct(
  a: Tensor,
  b: Tensor,
  allocateC: () => Float32Array,
): Float32Array | null {
  return product(a, b, allocateC, true);
}

/** wasmMatmul and wasmProduct: C given, or allocated when the product needs it. */
function product(
  a: Tensor,
  b: Tensor,
  target: Float32Array | (() => Float32Array),
  cIsZero: boolean,
): Float32Array | null {
  const backend = kernelBackend();
  if (backend === 'ts') return null;
  const [m, k] = a.shape;
  const n = b.shape[1];
  if (m === 0 || n === 0 || k === 0) return null;
  const work = m * n * k;
  if (
    backend === 'auto' &&
    (work < WASM_MIN_WORK || ((n === 1 || k === 1) && work < WASM_MIN_THIN_WORK))
  )
    return null;
  const mod = simd();
  if (mod === null) return null;
  const kern = mod.exports;

  const mr = kern.tileRows();
  const nr = kern.tileCols();
  const ldc = Math.ceil(n / nr) * nr;
  const rows = Math.ceil(m / mr) * mr;
  const threads =
    work < 2 * THREAD_MIN_WORK || Math.min(m, n, k) < THREAD_MIN_SIDE
      ? 1
      : Math.min(readyThreads(mod), Math.floor(work / THREAD_MIN_WORK));
  const aOff = mod.base;
  const bOff = aOff + align(m * k * 4);
  const cOff = bOff + align(k * n * 4);
  // Threads share one packing of B (after C) and pack A each in its own scratch.
  const pOff = cOff + align(rows * ldc * 4);
  const sOff = threads === 1 ? pOff : pOff + align(packedBytes(kern, n, k));
  const scratch = threads === 1 ? kern.scratchBytes() : align(kern.panelBytes());
  // Room for gemm's scratch too: a product cut into too many units runs on one thread.
  const scratchEnd = sOff + Math.max(kern.scratchBytes(), poolThreads(mod) * scratch);
  const mem = heapOf(mod, scratchEnd);
  if (mem === null) return null;

  const A = operand(a);
  const B = operand(b);
  let c = typeof target === 'function' ? null : target;
  const output = (): Float32Array => (c ??= (target as () => Float32Array)());
  const c0 = cOff >> 2;
  // A zero c is not copied in: the kernel overwrites the heap's C instead of adding to it.
  const overwrite = cIsZero ? 1 : 0;
  const copyRest = (): void => {
    if (cIsZero) {
      output();
      return;
    }
    if (ldc === n) mem.set(output(), c0);
    else copyRowsIn(output(), mem, c0, ldc, m, n);
  };
  // B's storage row by row: depths when B is row-major, columns when it is transposed.
  const copyB = rowCopy(mem, bOff, B.data, B.transposed ? n : k, B.transposed ? k : n);
  // A's: rows when A is row-major, depths when it is transposed.
  const copyA = rowCopy(mem, aOff, A.data, A.transposed ? k : m, A.transposed ? m : k);
  // Element strides: A(i,p) at i·rsa + p·csa, B(p,j) at p·rsb + j·csb.
  const [rsa, csa] = A.transposed ? [1, m] : [k, 1];
  const [rsb, csb] = B.transposed ? [1, k] : [n, 1];
  const copyOut: CopyOut = (i0, rows, j0, cols) => {
    if (j0 === 0 && cols === n && ldc === n)
      output().set(mem.subarray(c0 + i0 * n, c0 + (i0 + rows) * n), i0 * n);
    else copyBlock(output(), n, mem, c0 + i0 * ldc + j0, ldc, i0, rows, j0, cols);
  };
  if (threads === 1) {
    copyB.copy(0, copyB.rows);
    copyA.copy(0, copyA.rows);
    copyRest();
    kern.gemm(m, n, k, aOff, rsa, csa, bOff, rsb, csb, cOff, ldc, overwrite, sOff);
    copyOut(0, m, 0, n);
  } else {
    const task = { m, n, k, a: aOff, rsa, csa, b: bOff, rsb, csb, c: cOff, ldc, overwrite };
    const shared = { packed: pOff, scratch: sOff, scratchStep: scratch };
    runGemm(mod, { ...task, ...shared }, threads, copyB, copyA, copyRest, copyOut);
  }
  releaseWhenIdle(mod);
  return output();
}

/** Copies rows r0..r1-1 of `rows` rows of `length` floats from `data` into the heap at byte `off`. */
function rowCopy(
  heap: Float32Array,
  off: number,
  data: Float32Array,
  rows: number,
  length: number,
): RowCopy {
  return {
    rows,
    copy: (r0, r1) => heap.set(data.subarray(r0 * length, r1 * length), (off >> 2) + r0 * length),
  };
}

/**
 * Copies m rows of n floats from `c` (row-major) into the heap at h0 (ldc per row). Narrow
 * rows copy element by element: a subarray per row costs more than the row itself below a
 * few dozen floats.
 */
function copyRowsIn(
  c: Float32Array,
  heap: Float32Array,
  h0: number,
  ldc: number,
  m: number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    if (n >= 32) heap.set(c.subarray(i * n, i * n + n), h0 + i * ldc);
    else for (let j = 0, p = h0 + i * ldc, q = i * n; j < n; j++) heap[p + j] = c[q + j];
  }
}

/**
 * Copies the block of rows i0..i0+rows, columns j0..j0+cols of the heap's C (at h0, ldc floats
 * per row) into `c` (row-major, n per row), narrow rows element by element.
 */
function copyBlock(
  c: Float32Array,
  n: number,
  heap: Float32Array,
  h0: number,
  ldc: number,
  i0: number,
  rows: number,
  j0: number,
  cols: number,
): void {
  for (let i = 0; i < rows; i++) {
    const h = h0 + i * ldc;
    const o = (i0 + i) * n + j0;
    if (cols >= 32) c.set(heap.subarray(h, h + cols), o);
    else for (let j = 0; j < cols; j++) c[o + j] = heap[h + j];
  }
}
