// AssemblyScript source of the float32 matrix-product kernel (WebAssembly SIMD, 128-bit).
// scripts/build-wasm.mjs compiles it into simd.generated.ts; it is not host TypeScript, hence
// the .as extension that keeps tsc away from it.
//
// C += A·B, GotoBLAS-style: B is packed into KC×NR panels, A into MR×KC panels, and a 4×8
// register tile (8 f32x4 accumulators) does 32 multiply-adds per 2 loads and 4 broadcasts.
// V8 gives WebAssembly 15 usable xmm registers on x64; larger tiles (5×8, 6×8, 4×12, 3×16)
// spill and measured 2-3× slower. Built with relaxed SIMD (scripts/build-wasm.mjs makes both
// binaries), each step is one f32x4.relaxed_madd, a fused multiply-add where the CPU has one;
// without it, f32x4.mul then f32x4.add.
//
// The caller lays out memory: A and B anywhere (element strides given in floats), C with
// `ldc` floats per row where ldc is a multiple of NR and the row count a multiple of MR, so
// every micro-tile is whole; padding lanes are packed as zeros and never copied out.

const MR: i32 = 4;
const NR: i32 = 8;
/** Rows of A packed at a time: MC×KC floats (128 KiB) stay in L2. */
const MC: i32 = 128;
/** Depth of one pass: a KC×NR panel of B (8 KiB) stays in L1 while A's panels stream by. */
const KC: i32 = 256;
/** Columns of B packed at a time: KC×NC floats (512 KiB). */
const NC: i32 = 512;

/** First free byte after the module's own data; the caller's buffers start above it. */
export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of packing scratch that `gemm` needs after the `scratch` pointer. */
export function scratchBytes(): usize {
  return <usize>(MC * KC + KC * NC) * 4;
}

/** Rows of A one packing holds (MC): a part of a threaded product packs at most this many. */
export function blockRows(): i32 {
  return MC;
}

/** Depth of one pass (KC); `gemm` evens the passes out below it (see there). */
export function blockDepth(): i32 {
  return KC;
}

export function tileRows(): i32 {
  return MR;
}

export function tileCols(): i32 {
  return NR;
}

/** Four rows of four floats from s0..s3, stored as four columns at dst, dst+step, ... */
@inline
function transpose4(s0: usize, s1: usize, s2: usize, s3: usize, dst: usize, step: usize): void {
  const r0 = v128.load(s0);
  const r1 = v128.load(s1);
  const r2 = v128.load(s2);
  const r3 = v128.load(s3);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + step, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * step, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * step, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs the kc×nc block of B at `b` into panels [jr][p][NR], zero-padding the last panel.
 * Exported so that V8 tiers it up on its own (a function runs in the baseline compiler
 * until it has been called or looped enough).
 */
export function packB(kc: i32, nc: i32, b: usize, rsb: i32, csb: i32, dst: usize): void {
  const rowStep = <usize>rsb * 4;
  for (let jr = 0; jr < nc; jr += NR) {
    const w = min(NR, nc - jr);
    const src = b + <usize>(jr * csb) * 4;
    let p = 0;
    if (w == NR && csb == 1) {
      // Row-major B: each panel row is 8 consecutive floats.
      for (let s = src; p < kc; p++, s += rowStep) {
        const d = dst + <usize>(p * NR) * 4;
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
      }
    } else if (w == NR && rsb == 1) {
      // Bᵀ row-major (the backward pass's b.t()): transpose 4×4 blocks.
      const colStep = <usize>csb * 4;
      for (; p + 4 <= kc; p += 4) {
        const s = src + <usize>p * 4;
        const d = dst + <usize>(p * NR) * 4;
        transpose4(s, s + colStep, s + 2 * colStep, s + 3 * colStep, d, NR * 4);
        const s4 = s + 4 * colStep;
        transpose4(s4, s4 + colStep, s4 + 2 * colStep, s4 + 3 * colStep, d + 16, NR * 4);
      }
    }
    for (; p < kc; p++) {
      const d = dst + <usize>(p * NR) * 4;
      const s = src + <usize>(p * rsb) * 4;
      for (let jj = 0; jj < NR; jj++) {
        store<f32>(d + <usize>jj * 4, jj < w ? load<f32>(s + <usize>(jj * csb) * 4) : 0);
      }
    }
    dst += <usize>(kc * NR) * 4;
  }
}

/** Packs the mc×kc block of A at `a` into panels [ir][p][MR], zero-padding the last panel. */
export function packA(mc: i32, kc: i32, a: usize, rsa: i32, csa: i32, dst: usize): void {
  const colStep = <usize>csa * 4;
  for (let ir = 0; ir < mc; ir += MR) {
    const h = min(MR, mc - ir);
    const src = a + <usize>(ir * rsa) * 4;
    let p = 0;
    if (h == MR && rsa == 1) {
      // Aᵀ row-major (the backward pass's a.t()): each panel row is 4 consecutive floats.
      for (let s = src; p < kc; p++, s += colStep) v128.store(dst + <usize>(p * MR) * 4, v128.load(s));
    } else if (h == MR && csa == 1) {
      const rowStep = <usize>rsa * 4;
      for (; p + 4 <= kc; p += 4) {
        const s = src + <usize>p * 4;
        transpose4(s, s + rowStep, s + 2 * rowStep, s + 3 * rowStep, dst + <usize>(p * MR) * 4, MR * 4);
      }
    }
    for (; p < kc; p++) {
      const d = dst + <usize>(p * MR) * 4;
      const s = src + <usize>(p * csa) * 4;
      for (let ii = 0; ii < MR; ii++) {
        store<f32>(d + <usize>ii * 4, ii < h ? load<f32>(s + <usize>(ii * rsa) * 4) : 0);
      }
    }
    dst += <usize>(kc * MR) * 4;
  }
}

/** acc + x·y: fused (rounded once) where relaxed SIMD is on and the CPU has FMA. */
@inline
function madd(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, acc);
  return f32x4.add(acc, f32x4.mul(x, y));
}

/**
 * C[0:4, 0:8] += packed A panel (kc×4) · packed B panel (kc×8), or = when `overwrite`.
 * `ldc` is in bytes.
 */
@inline
function kernel4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load32_splat(pa);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load32_splat(pa, 4);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load32_splat(pa, 8);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load32_splat(pa, 12);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
    pa += MR * 4;
    pb += NR * 4;
  }
  if (overwrite) {
    v128.store(c, c00);
    v128.store(c, c01, 16);
    c += ldc;
    v128.store(c, c10);
    v128.store(c, c11, 16);
    c += ldc;
    v128.store(c, c20);
    v128.store(c, c21, 16);
    c += ldc;
    v128.store(c, c30);
    v128.store(c, c31, 16);
    return;
  }
  v128.store(c, f32x4.add(v128.load(c), c00));
  v128.store(c, f32x4.add(v128.load(c, 16), c01), 16);
  c += ldc;
  v128.store(c, f32x4.add(v128.load(c), c10));
  v128.store(c, f32x4.add(v128.load(c, 16), c11), 16);
  c += ldc;
  v128.store(c, f32x4.add(v128.load(c), c20));
  v128.store(c, f32x4.add(v128.load(c, 16), c21), 16);
  c += ldc;
  v128.store(c, f32x4.add(v128.load(c), c30));
  v128.store(c, f32x4.add(v128.load(c, 16), c31), 16);
}

/**
 * C[0:mc, 0:nc] += packed A block · packed B block (= when `overwrite`), one 4×8 tile at a
 * time. The tile is inlined (a call per tile measured ~12% slower) and this function is
 * exported, so V8 tiers it up by itself early in the first product rather than after the
 * whole of `gemm` returns.
 */
export function macroKernel(mc: i32, nc: i32, kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, overwrite: bool): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const panelB = pb + <usize>(jr * kc) * 4;
    const cCol = c + <usize>jr * 4;
    for (let ir = 0; ir < mc; ir += MR) {
      kernel4x8(kc, pa + <usize>(ir * kc) * 4, panelB, cCol + <usize>ir * ldc, ldc, overwrite);
    }
  }
}

/**
 * C[m,n] += A[m,k]·B[k,n], or C = A·B when `overwrite` (C's old contents, padding included,
 * are then never read: the caller need not clear it). A(i,p) is the float at
 * a + 4·(i·rsa + p·csa), B(p,j) at b + 4·(p·rsb + j·csb); C is row-major with `ldc` floats
 * per row (a multiple of NR) and at least m rounded up to MR rows. `scratch` points at
 * scratchBytes() free bytes.
 */
export function gemm(m: i32, n: i32, k: i32, a: usize, rsa: i32, csa: i32, b: usize, rsb: i32, csb: i32, c: usize, ldc: i32, overwrite: bool, scratch: usize): void {
  const pa = scratch;
  const pb = scratch + <usize>(MC * KC) * 4;
  const ldcBytes = <usize>ldc * 4;
  // Depth split evenly (784 = 4×196, not 3×256 + 16): a thin last pass pays the C tile's
  // loads and stores for little work. Multiples of 4 keep packing on its 4×4 transposes.
  const kBlocks = (k + KC - 1) / KC;
  const kStep = min(KC, ((k + kBlocks - 1) / kBlocks + 3) & ~3);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kStep) {
      const kc = min(kStep, k - pc);
      packB(kc, nc, b + <usize>(pc * rsb + jc * csb) * 4, rsb, csb, pb);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packA(mc, kc, a + <usize>(ic * rsa + pc * csa) * 4, rsa, csa, pa);
        macroKernel(mc, nc, kc, pa, pb, c + <usize>(ic * ldc + jc) * 4, ldcBytes, overwrite && pc == 0);
      }
    }
  }
}
