// AssemblyScript source of the optimizer kernels (WebAssembly SIMD, 128-bit), compiled with
// gemm.as into one module by scripts/build-wasm.mjs.
//
// Adam's update is PyTorch's single-tensor algorithm in float32, one rounding per tensor op as
// PyTorch stores each intermediate tensor: scalar JavaScript computes in float64 and has no
// float32 sqrt or division, so this is both faster (4 lanes, cheaper instructions) and closer
// to PyTorch than the TypeScript loop it replaces for float32 parameters.

/**
 * One Adam step over `n` floats at `g` (gradient), `w` (parameter), `m` (exp_avg) and `v`
 * (exp_avg_sq), updating w, m and v in place. The scalars arrive as float32 already, as
 * PyTorch casts a Python float operand to the tensor's dtype.
 */
export function adam(
  n: i32, g: usize, w: usize, m: usize, v: usize,
  sign: f32, weightDecay: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  bc2Sqrt: f32, eps: f32, negStepSize: f32,
): void {
  const vSign = f32x4.splat(sign);
  const vWd = f32x4.splat(weightDecay);
  const vB1 = f32x4.splat(oneMinusBeta1);
  const vB2 = f32x4.splat(beta2);
  const vOneMinusB2 = f32x4.splat(oneMinusBeta2);
  const vBc2 = f32x4.splat(bc2Sqrt);
  const vEps = f32x4.splat(eps);
  const vStep = f32x4.splat(negStepSize);
  const decay = weightDecay != 0;
  const vectorEnd = n & ~3;
  let i = 0;
  for (; i < vectorEnd; i += 4) {
    const o = <usize>i * 4;
    const wi = v128.load(w + o);
    let gi = f32x4.mul(v128.load(g + o), vSign);
    if (decay) gi = f32x4.add(gi, f32x4.mul(vWd, wi)); // grad.add(param, alpha=weight_decay)
    let mi = v128.load(m + o);
    mi = f32x4.add(mi, f32x4.mul(vB1, f32x4.sub(gi, mi))); // exp_avg.lerp_(grad, 1 - beta1)
    let vi = f32x4.mul(v128.load(v + o), vB2); // exp_avg_sq.mul_(beta2)
    vi = f32x4.add(vi, f32x4.mul(f32x4.mul(vOneMinusB2, gi), gi)); // .addcmul_(grad, grad, 1 - beta2)
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), vBc2), vEps); // (v.sqrt() / bc2).add_(eps)
    v128.store(w + o, f32x4.add(wi, f32x4.div(f32x4.mul(vStep, mi), denom))); // addcdiv_(m, denom, -step)
    v128.store(m + o, mi);
    v128.store(v + o, vi);
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const wi = load<f32>(w + o);
    let gi = load<f32>(g + o) * sign;
    if (decay) gi += weightDecay * wi;
    let mi = load<f32>(m + o);
    mi += oneMinusBeta1 * (gi - mi);
    let vi = load<f32>(v + o) * beta2;
    vi += oneMinusBeta2 * gi * gi;
    store<f32>(w + o, wi + (negStepSize * mi) / (sqrt<f32>(vi) / bc2Sqrt + eps));
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
  }
}
