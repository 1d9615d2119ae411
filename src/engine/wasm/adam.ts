// Adam's float32 update on the WebAssembly SIMD kernel in optim.as. Parameters and their
// state live in ordinary typed arrays, so the update streams them through WebAssembly memory
// a chunk at a time: chunks small enough to stay in L1 make the copies cheap next to the
// arithmetic they speed up.
import { simdScratch } from './module';

/** Below this many elements the TypeScript loop wins (the copies and calls cost more). */
const WASM_ADAM_MIN = 256;

/** Floats per chunk: four arrays of 8192 floats (128 KiB) stay in L2; fewer, larger copies. */
const CHUNK = 8192;

/** Adam's scalars for one step, as PyTorch computes them in float64 before casting. */
export interface AdamScalars {
  sign: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  stepSize: number;
  bc2Sqrt: number;
}

/**
 * One Adam step over float32 arrays, in place on w, m and v. Returns false, touching nothing,
 * when the TypeScript loop should run instead.
 */
export function wasmAdam(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  s: AdamScalars,
): boolean {
  const n = w.length;
  const scratch = simdScratch(n, WASM_ADAM_MIN, 4 * CHUNK * 4);
  if (scratch === null) return false;
  const { mod, heap } = scratch;
  const gOff = mod.base >> 2;
  const wOff = gOff + CHUNK;
  const mOff = wOff + CHUNK;
  const vOff = mOff + CHUNK;
  const f = Math.fround;
  const args = [
    f(s.sign),
    f(s.weightDecay),
    f(1 - s.beta1),
    f(s.beta2),
    f(1 - s.beta2),
    f(s.bc2Sqrt),
    f(s.eps),
    f(-s.stepSize),
  ] as const;
  for (let i = 0; i < n; i += CHUNK) {
    const e = Math.min(n, i + CHUNK);
    heap.set(g.subarray(i, e), gOff);
    heap.set(w.subarray(i, e), wOff);
    heap.set(m.subarray(i, e), mOff);
    heap.set(v.subarray(i, e), vOff);
    mod.exports.adam(e - i, gOff << 2, wOff << 2, mOff << 2, vOff << 2, ...args);
    w.set(heap.subarray(wOff, wOff + e - i), i);
    m.set(heap.subarray(mOff, mOff + e - i), i);
    v.set(heap.subarray(vOff, vOff + e - i), i);
  }
  return true;
}
