// Float32 matrix products on the WebAssembly SIMD kernel in gemm.as, split over worker threads
// when they are large. The engine keeps its TypeScript kernel (ops/linalg.ts gemmABt) as the
// portable path: this module answers `false` whenever it cannot or should not run, and the
// caller falls back.
import type { Tensor } from '../tensor';
import { contiguousData, isContiguous } from '../ops/kernels';
import { align, heapOf, kernelBackend, simd } from './module';
import { releaseWhenIdle } from './memory-release';
import { poolThreads, readyThreads, runParts, type GemmPart } from './threads';

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
 * Measured with bench/matmul-threads.mjs on 2 cores (x64, Node 20): two threads overtake one
 * between 48³ and 80³ when the worker is awake; from about 101³ (2²⁰) the split leaves room
 * for a worker that must first wake up.
 */
export const THREAD_MIN_WORK = 1 << 19;

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
  const backend = kernelBackend();
  if (backend === 'ts') return false;
  const [m, k] = a.shape;
  const n = b.shape[1];
  if (m === 0 || n === 0 || k === 0) return false;
  const work = m * n * k;
  if (
    backend === 'auto' &&
    (work < WASM_MIN_WORK || ((n === 1 || k === 1) && work < WASM_MIN_THIN_WORK))
  )
    return false;
  const mod = simd();
  if (mod === null) return false;
  const kern = mod.exports;

  const mr = kern.tileRows();
  const nr = kern.tileCols();
  const ldc = Math.ceil(n / nr) * nr;
  const rows = Math.ceil(m / mr) * mr;
  // Split along the longer side of C, in whole micro-tiles.
  const byRows = m >= n;
  const tiles = byRows ? rows / mr : ldc / nr;
  const threads =
    work < 2 * THREAD_MIN_WORK
      ? 1
      : Math.min(readyThreads(mod), Math.floor(work / THREAD_MIN_WORK), tiles);
  const aOff = mod.base;
  const bOff = aOff + align(m * k * 4);
  const cOff = bOff + align(k * n * 4);
  const sOff = cOff + align(rows * ldc * 4);
  const scratch = kern.scratchBytes();
  // Every thread of the pool may claim a part, so each gets its own packing scratch.
  const mem = heapOf(mod, sOff + (threads === 1 ? 1 : poolThreads(mod)) * scratch);
  if (mem === null) return false;

  const A = operand(a);
  const B = operand(b);
  mem.set(A.data, aOff >> 2);
  mem.set(B.data, bOff >> 2);
  const c0 = cOff >> 2;
  // A zero c is not copied in: the kernel overwrites the heap's C instead of adding to it.
  const overwrite = cIsZero ? 1 : 0;
  if (!cIsZero) {
    if (ldc === n) mem.set(c, c0);
    else copyRows(c, mem, c0, ldc, m, n, true);
  }
  // Element strides: A(i,p) at i·rsa + p·csa, B(p,j) at p·rsb + j·csb.
  const [rsa, csa] = A.transposed ? [1, m] : [k, 1];
  const [rsb, csb] = B.transposed ? [1, k] : [n, 1];
  if (threads === 1) {
    kern.gemm(m, n, k, aOff, rsa, csa, bOff, rsb, csb, cOff, ldc, overwrite, sOff);
  } else {
    const parts: GemmPart[] = [];
    for (let t = 0, done = 0; t < threads; t++) {
      const end = Math.round((tiles * (t + 1)) / threads);
      if (byRows) {
        const i0 = done * mr;
        const i1 = Math.min(m, end * mr);
        parts.push([
          i1 - i0,
          n,
          k,
          aOff + i0 * rsa * 4,
          rsa,
          csa,
          bOff,
          rsb,
          csb,
          cOff + i0 * ldc * 4,
          ldc,
          overwrite,
        ]);
      } else {
        const j0 = done * nr;
        const j1 = Math.min(n, end * nr);
        parts.push([
          m,
          j1 - j0,
          k,
          aOff,
          rsa,
          csa,
          bOff + j0 * csb * 4,
          rsb,
          csb,
          cOff + j0 * 4,
          ldc,
          overwrite,
        ]);
      }
      done = end;
    }
    runParts(mod, parts, sOff, scratch);
  }
  if (ldc === n) c.set(mem.subarray(c0, c0 + m * n));
  else copyRows(c, mem, c0, ldc, m, n, false);
  releaseWhenIdle(mod);
  return true;
}

/**
 * Copies m rows of n floats between `c` (row-major) and the heap at h0 (ldc per row), into
 * the heap when `toHeap`. Narrow rows copy element by element: a subarray per row costs more
 * than the row itself below a few dozen floats.
 */
function copyRows(
  c: Float32Array,
  heap: Float32Array,
  h0: number,
  ldc: number,
  m: number,
  n: number,
  toHeap: boolean,
): void {
  if (n >= 32) {
    for (let i = 0; i < m; i++) {
      if (toHeap) heap.set(c.subarray(i * n, i * n + n), h0 + i * ldc);
      else c.set(heap.subarray(h0 + i * ldc, h0 + i * ldc + n), i * n);
    }
  } else if (toHeap) {
    for (let i = 0; i < m; i++)
      for (let j = 0, p = h0 + i * ldc, q = i * n; j < n; j++) heap[p + j] = c[q + j];
  } else {
    for (let i = 0; i < m; i++)
      for (let j = 0, p = h0 + i * ldc, q = i * n; j < n; j++) c[q + j] = heap[p + j];
  }
}
