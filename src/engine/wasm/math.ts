// exp, tanh and sigmoid of float32 arrays on the WebAssembly SIMD kernels in math.as, streamed
// through WebAssembly memory a chunk at a time (as adam.ts does).
import { simdScratch } from './module';

/** The functions math.as computes, by its kernel ids. */
export type SimdUnary = 'exp' | 'tanh' | 'sigmoid';
const KIND: Record<SimdUnary, number> = { exp: 0, tanh: 1, sigmoid: 2 };

/** Below this many elements the TypeScript loop wins (the copies and calls cost more). */
export const WASM_UNARY_MIN = 64;

/** Floats per chunk: source and result of 4096 floats fill 32 KiB. */
const CHUNK = 4096;

/**
 * out[i] = f(src[i]) on WebAssembly SIMD. Returns false, writing nothing, when the
 * TypeScript loop should run instead.
 */
export function wasmUnary(f: SimdUnary, src: Float32Array, out: Float32Array): boolean {
  const n = src.length;
  const scratch = simdScratch(n, WASM_UNARY_MIN, 2 * CHUNK * 4);
  if (scratch === null) return false;
  const { mod, heap } = scratch;
  const inOff = mod.base >> 2;
  const outOff = inOff + CHUNK;
  const kind = KIND[f];
  for (let i = 0; i < n; i += CHUNK) {
    const e = Math.min(n, i + CHUNK);
    heap.set(src.subarray(i, e), inOff);
    mod.exports.unaryF32(kind, e - i, inOff << 2, outOff << 2);
    out.set(heap.subarray(outOff, outOff + e - i), i);
  }
  return true;
}
