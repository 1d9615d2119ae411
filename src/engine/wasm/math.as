// AssemblyScript source of the float32 transcendental kernels (WebAssembly SIMD, 128-bit),
// compiled with gemm.as into one module by scripts/build-wasm.mjs.
//
// JavaScript's Math.exp/Math.tanh are float64 library calls V8 does not inline (about 20 ns
// per element for tanh); PyTorch computes float32 tensors with vectorised float32 functions
// (Sleef, within 1 ulp). These are the Cephes float32 algorithms on four lanes: exp and tanh
// within 1 ulp of the correctly rounded result, sigmoid (two roundings, like PyTorch's) within
// 2 (test/engine/wasm-math.test.ts sweeps them).

const LOG2E: f32 = 1.44269504088896341;
// ln 2 split so that n·LN2_HI is exact for the n that occur.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

/** e^x on four lanes: x = n·ln2 + r, e^r by a degree-6 polynomial, times 2^n. */
@inline
function expV(x0: v128): v128 {
  // Past these bounds the result is inf or 0 anyway; clamping keeps n in i32 range. min/max
  // propagate NaN, and NaN stays NaN through the polynomial.
  const x = f32x4.max(f32x4.min(x0, f32x4.splat(89)), f32x4.splat(-104));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(0.5)));
  const r = f32x4.sub(f32x4.sub(x, f32x4.mul(fx, f32x4.splat(LN2_HI))), f32x4.mul(fx, f32x4.splat(LN2_LO)));
  const z = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const y = f32x4.add(f32x4.add(f32x4.mul(p, z), r), f32x4.splat(1));
  // 2^n in two factors, each a normal float, so n down to -150 (subnormal results) and up to
  // 128 (overflow to inf) both come out right.
  const n = i32x4.trunc_sat_f32x4_s(fx);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(y, s1), s2);
}

/** tanh on four lanes: an odd polynomial below |x| = 0.625, 1 - 2/(e^2|x| + 1) above. */
@inline
function tanhV(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = expV(f32x4.add(ax, ax));
  const large = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  const signed = v128.or(large, v128.and(x, i32x4.splat(0x80000000)));
  // NaN compares false, so it takes the large branch, where it stays NaN.
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** 1 / (1 + e^-x), as PyTorch's vectorised sigmoid computes it in float32. */
@inline
function sigmoidV(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expV(f32x4.neg(x))));
}

/** Kernel ids, as math.ts passes them. */
const EXP = 0;
const TANH = 1;
const SIGMOID = 2;

/**
 * dst[i] = f(src[i]) for i < n, n rounded up to a multiple of 4 (the caller's buffers have
 * room for the padding lanes and never reads them back).
 */
export function unaryF32(kind: i32, n: i32, src: usize, dst: usize): void {
  const end = <usize>((n + 3) & ~3) * 4;
  if (kind == EXP) for (let o: usize = 0; o < end; o += 16) v128.store(dst + o, expV(v128.load(src + o)));
  else if (kind == TANH) for (let o: usize = 0; o < end; o += 16) v128.store(dst + o, tanhV(v128.load(src + o)));
  else if (kind == SIGMOID) for (let o: usize = 0; o < end; o += 16) v128.store(dst + o, sigmoidV(v128.load(src + o)));
}
