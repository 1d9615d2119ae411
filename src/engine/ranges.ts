// arange and linspace values bit for bit as PyTorch's CPU kernels compute them
// (aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp, AVX2 build): the contiguous output is
// written two vectors at a time, each vector from a base value plus k * step per lane, and
// the remainder one element at a time. The compiler fuses `start + step * idx` into one
// fused multiply-add, and arange's lanes too (they compute in double), but not linspace's
// float32 lanes. Float32 linspace steps in float32; arange computes in double (its
// accumulate type) and rounds each value once to the output. Checked against PyTorch in
// test/engine/idioms-golden.test.ts.
import type { DType, Storage } from './dtype';

/** Lanes per vector for a dtype in the AVX2 kernels (256 bits). */
const lanes = (dtype: DType): number => (dtype === 'float32' ? 8 : 4);

/** How the kernel's C++ stores a double into the output type. */
function storeAs(dtype: DType): (v: number) => number {
  if (dtype === 'float32') return Math.fround;
  return dtype === 'float64' ? (v) => v : Math.trunc;
}

const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter for doubles

/** a * b + c with one rounding (error-free product, then a compensated sum). */
function fma(a: number, b: number, c: number): number {
  const p = a * b;
  const ta = SPLIT * a;
  const ah = ta - (ta - a);
  const al = a - ah;
  const tb = SPLIT * b;
  const bh = tb - (tb - b);
  const bl = b - bh;
  const pe = ah * bh - p + ah * bl + al * bh + al * bl;
  const s = p + c;
  const v = s - p;
  const se = p - (s - v) + (c - v);
  return s + (se + pe);
}

/** Fills `out` the way the kernel's loop does: pairs of vectors, then single elements. */
function fillLikeKernel(
  out: Storage,
  dtype: DType,
  scalar: (idx: number) => number,
  lane: (base: number, k: number) => number,
): void {
  const n = out.length;
  const w = lanes(dtype);
  let i = 0;
  for (; i + 2 * w <= n; i += 2 * w)
    for (let at = i; at < i + 2 * w; at += w) {
      const base = scalar(at);
      for (let k = 0; k < w; k++) out[at + k] = lane(base, k);
    }
  for (; i < n; i++) out[i] = scalar(i);
}

/** `torch.linspace(start, end, out.length)` into `out`. */
export function fillLinspace(out: Storage, dtype: DType, start: number, end: number): void {
  const steps = out.length;
  const store = storeAs(dtype);
  if (steps <= 1) {
    out.fill(store(start));
    return;
  }
  const s = store(start);
  const e = store(end);
  // float32 steps in float32; integer outputs step in double.
  const step = dtype === 'float32' ? store(store(e - s) / (steps - 1)) : (e - s) / (steps - 1);
  const half = Math.floor(steps / 2);
  const f32 = dtype === 'float32';
  fillLikeKernel(
    out,
    dtype,
    (idx) => store(idx < half ? fma(step, idx, s) : fma(-step, steps - idx - 1, e)),
    (base, k) => store(base + (f32 ? store(k * step) : k * step)),
  );
}

/** `torch.arange(start, ., step)` into `out` (its length is the element count). */
export function fillArange(out: Storage, dtype: DType, start: number, step: number): void {
  const store = storeAs(dtype);
  fillLikeKernel(
    out,
    dtype,
    (idx) => store(fma(step, idx, start)),
    (base, k) => store(fma(k, step, base)),
  );
}

/** The element count PyTorch computes for arange, in double. */
export function arangeLength(start: number, end: number, step: number): number {
  if (step === 0) throw new Error('step must be nonzero');
  if ((step > 0 && end < start) || (step < 0 && end > start))
    throw new Error('upper bound and larger bound inconsistent with step sign');
  return Math.ceil((end - start) / step);
}
