// AssemblyScript source of the float32 matrix-product kernel (WebAssembly SIMD, 128-bit).
// scripts/build-wasm.mjs compiles it into simd.generated.ts; it is not host TypeScript, hence
// the .as extension that keeps tsc away from it.
//
// C += A·B, GotoBLAS-style: B is packed into KC×NR panels, a KC×NC block of them kept in L2;
// A is packed four rows at a time into one panel that stays in L1 while the block's panels of
// B stream past it, and a 4×8 register tile (8 f32x4 accumulators) does 32 multiply-adds per
// step of the depth.
//
// The tile is as large as V8 allows: TurboFan schedules a loop body's loads ahead of all its
// arithmetic, so every value a step loads holds a register until the step's multiplies are
// done: 8 accumulators + 2 vectors of B + 4 of A + 1 product = 15, the xmm registers V8 gives
// WebAssembly on x64. Larger tiles (5×8, 6×8, 4×12, 3×12, 3×16) and a depth loop unrolled
// by hand spill. What is left to win is instructions per step: the packed A panel holds each
// element broadcast to four lanes, so the kernel reads it with plain loads at fixed offsets
// from one pointer (a load32_splat with an offset costs V8 a base register per offset, more
// than the loop has: it rebuilt them and reloaded its stack-check address every other step),
// and the loop ends on B's pointer instead of counting. Built with relaxed SIMD (scripts/build-wasm.mjs makes both
// binaries), each multiply-add is one f32x4.relaxed_madd, fused where the CPU has FMA;
// without it, f32x4.mul then f32x4.add.
//
// The caller lays out memory: A and B anywhere (element strides given in floats), C with
// `ldc` floats per row where ldc is a multiple of NR and the row count a multiple of MR, so
// every micro-tile is whole; padding lanes are packed as zeros and never copied out.

const MR: i32 = 4;
const NR: i32 = 8;
/** Depth of one pass: a panel of A (KC×MR broadcast floats, 16 KiB) stays in L1. */
const KC: i32 = 256;
/** Columns of B packed at a time: KC×NC floats (256 KiB) stay in L2 while A's panels pass. */
const NC: i32 = 256;
/** Bytes of one packed panel of A: each element broadcast to a 16-byte vector. */
const PANEL_A: i32 = KC * MR * 16;

/** First free byte after the module's own data; the caller's buffers start above it. */
export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of packing scratch that `gemm` needs after the `scratch` pointer. */
export function scratchBytes(): usize {
  return <usize>(PANEL_A + KC * NC * 4);
}

/** Bytes of the A panel `macroKernel` packs into its `scratch` (one per thread). */
export function panelBytes(): i32 {
  return PANEL_A;
}

/** Depth of one pass (KC); `gemm` evens the passes out below it (see there). */
export function blockDepth(): i32 {
  return KC;
}

/** Columns of B one pass of `macroKernel` should take at most (NC): their panels fill L2. */
export function blockCols(): i32 {
  return NC;
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

/**
 * Packs rows 0..h-1 (h <= MR) of the kc columns of A at `a` into one panel [p][ii] of
 * 16-byte vectors, each A(ii, p) broadcast to four lanes; rows h..MR-1 are zeros.
 */
function packA(kc: i32, h: i32, a: usize, rsa: i32, csa: i32, dst: usize): void {
  const rowStep = <usize>rsa * 4;
  const colStep = <usize>csa * 4;
  if (h == MR) {
    for (let s = a, end = dst + <usize>kc * MR * 16; dst < end; s += colStep, dst += MR * 16) {
      v128.store(dst, v128.load32_splat(s));
      v128.store(dst, v128.load32_splat(s + rowStep), 16);
      v128.store(dst, v128.load32_splat(s + 2 * rowStep), 32);
      v128.store(dst, v128.load32_splat(s + 3 * rowStep), 48);
    }
    return;
  }
  for (let p = 0; p < kc; p++) {
    const s = a + <usize>p * colStep;
    for (let ii = 0; ii < MR; ii++) {
      const d = dst + <usize>(p * MR + ii) * 16;
      v128.store(d, ii < h ? v128.load32_splat(s + <usize>ii * rowStep) : f32x4.splat(0));
    }
  }
}

/** acc + x·y: fused (rounded once) where relaxed SIMD is on and the CPU has FMA. */
@inline
function madd(x: v128, y: v128, acc: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(x, y, acc);
  return f32x4.add(acc, f32x4.mul(x, y));
}

/**
 * C[0:4, 0:8] += packed A panel (kc×4, broadcast) · packed B panel (kc×8), or = when
 * `overwrite`. `ldc` is in bytes.
 */
@inline
function kernel4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, overwrite: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (const end = pb + <usize>kc * NR * 4; pb < end; pa += MR * 16, pb += NR * 4) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let x = v128.load(pa);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = v128.load(pa, 16);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = v128.load(pa, 32);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = v128.load(pa, 48);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
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
 * C[0:4, 0:nc] += packed A panel · packed B block (= when `overwrite`), one 4×8 tile at a
 * time; `ldc` is in bytes. The tile is inlined (a call per tile measured ~12% slower). This
 * loop is a function of its own, exported so that it stays one (not inlined into
 * macroKernel), so that it keeps few values live: with macroKernel's around it, V8 ran out of
 * general registers in the tile's loop and reloaded its stack-check address every other step.
 */
export function panelKernel(kc: i32, nc: i32, pa: usize, pb: usize, c: usize, ldc: usize, overwrite: bool): void {
  const panelB = <usize>(kc * NR) * 4;
  for (let end = pb + <usize>((nc + NR - 1) / NR) * panelB; pb < end; pb += panelB, c += NR * 4) {
    kernel4x8(kc, pa, pb, c, ldc, overwrite);
  }
}

/**
 * C[0:mc, 0:nc] += A[0:mc, 0:kc] · packed B block (= when `overwrite`): A (at `a`, strides
 * rsa, csa in floats) is packed four rows at a time into `scratch` (panelBytes()), and each
 * panel meets every panel of B in the block. Exported, so V8 tiers it up by itself early in
 * the first product rather than after the whole of `gemm` returns. `ldc` is in bytes.
 */
export function macroKernel(mc: i32, nc: i32, kc: i32, a: usize, rsa: i32, csa: i32, pb: usize, c: usize, ldc: usize, overwrite: bool, scratch: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    packA(kc, min(MR, mc - ir), a + <usize>(ir * rsa) * 4, rsa, csa, scratch);
    panelKernel(kc, nc, scratch, pb, c + <usize>ir * ldc, ldc, overwrite);
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
  const pb = scratch + <usize>PANEL_A;
  const ldcBytes = <usize>ldc * 4;
  // Depth split evenly (784 = 4×196, not 3×256 + 16): a thin last pass pays the C tile's
  // loads and stores for little work. Multiples of 4 keep packing B on its 4×4 transposes.
  const kBlocks = (k + KC - 1) / KC;
  const kStep = min(KC, ((k + kBlocks - 1) / kBlocks + 3) & ~3);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kStep) {
      const kc = min(kStep, k - pc);
      packB(kc, nc, b + <usize>(pc * rsb + jc * csb) * 4, rsb, csb, pb);
      const ap = a + <usize>(pc * csa) * 4;
      macroKernel(m, nc, kc, ap, rsa, csa, pb, c + <usize>jc * 4, ldcBytes, overwrite && pc == 0, pa);
    }
  }
}
