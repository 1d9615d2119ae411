// Smooth elementwise functions of the later lessons: log1p, erf and the activations GELU,
// SiLU, LeakyReLU, Softplus and ELU. Each backward is written with differentiable tensor ops
// (createGraph gives correct second derivatives); without createGraph it runs as one fused
// loop over (grad, x), as the elementwise primitives do.
import { isFloating, promote, type DType } from '../dtype';
import { isGradEnabled } from '../grad-mode';
import type { Tensor } from '../tensor';
import { binaryKernel, sigmoid, unaryKernel } from './kernels';
import type { Primitive } from './op';

const floatOf = (t: Tensor): DType => (isFloating(t.dtype) ? t.dtype : 'float32');
/** 1 where `x > c`, else 0, in x's dtype (a bool mask would round a float64 product). */
const above = (x: Tensor, c: number): Tensor => x.gt(c).to(x.dtype);

/**
 * A unary primitive that saves its input: `f` computes the value, `derivative` the gradient
 * with tensor ops, `fused` the same gradient per element.
 */
function smoothUnary<A>(
  name: string,
  f: (x: number, args: A) => number,
  derivative: (g: Tensor, x: Tensor, args: A) => Tensor,
  fused: (g: number, x: number, args: A) => number,
): Primitive<A> {
  return {
    name,
    arity: 1,
    saves: [0],
    forward: ([a], args) => unaryKernel(a, floatOf(a), (x) => f(x, args)),
    backward: (g, { saved: [x], args }) =>
      isGradEnabled()
        ? [derivative(g, x, args)]
        : [binaryKernel(g, x, promote(g.dtype, x.dtype), (gi, xi) => fused(gi, xi, args))],
  };
}

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function to double precision: erf(x) = 2/√π · e^(-x²) · Σ 2ⁿ x^(2n+1) / (2n+1)!!,
 * a series of positive terms (no cancellation); beyond |x| = 6, erf is ±1 in doubles.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let total = ax;
  for (let n = 1; term > total * 1e-17; n++) {
    term *= (2 * x2) / (2 * n + 1);
    total += term;
  }
  return Math.sign(x) * TWO_OVER_SQRT_PI * Math.exp(-x2) * total;
}

export const Log1p = smoothUnary<undefined>(
  'Log1PBackward0',
  Math.log1p,
  (g, x) => g.div(x.add(1)),
  (g, x) => g / (1 + x),
);

export const Erf = smoothUnary<undefined>(
  'ErfBackward0',
  erf,
  (g, x) => g.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI)),
  (g, x) => g * TWO_OVER_SQRT_PI * Math.exp(-x * x),
);

export interface GeluArgs {
  readonly approximate: 'none' | 'tanh';
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_CUBIC = 0.044715;

/** tanh(√(2/π)·(x + 0.044715·x³)), the inner part of GELU's tanh approximation. */
const geluTanhInner = (x: number): number =>
  Math.tanh(SQRT_2_OVER_PI * (x + GELU_CUBIC * x * x * x));

/**
 * GELU: x·Φ(x), Φ the standard normal distribution function; with `approximate: 'tanh'`,
 * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as PyTorch computes both.
 */
export const Gelu = smoothUnary<GeluArgs>(
  'GeluBackward0',
  (x, { approximate }) =>
    approximate === 'tanh' ? 0.5 * x * (1 + geluTanhInner(x)) : 0.5 * x * (1 + erf(x * SQRT1_2)),
  (g, x, { approximate }) => {
    if (approximate === 'tanh') {
      // 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)
      const x2 = x.mul(x);
      const t = x2.mul(GELU_CUBIC).add(1).mul(x).mul(SQRT_2_OVER_PI).tanh();
      const dInner = x2
        .mul(3 * GELU_CUBIC)
        .add(1)
        .mul(SQRT_2_OVER_PI);
      return g.mul(
        t
          .add(1)
          .mul(0.5)
          .add(x.mul(0.5).mul(t.mul(t).rsub(1)).mul(dInner)),
      );
    }
    // Φ(x) + x·φ(x)
    return g.mul(
      x
        .mul(SQRT1_2)
        .erf()
        .add(1)
        .mul(0.5)
        .add(x.mul(x.mul(x).mul(-0.5).exp()).mul(INV_SQRT_2PI)),
    );
  },
  (g, x, { approximate }) => {
    if (approximate === 'tanh') {
      const t = geluTanhInner(x);
      const dInner = SQRT_2_OVER_PI * (1 + 3 * GELU_CUBIC * x * x);
      return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dInner);
    }
    return g * (0.5 * (1 + erf(x * SQRT1_2)) + x * Math.exp(-0.5 * x * x) * INV_SQRT_2PI);
  },
);

/** x·σ(x). */
export const Silu = smoothUnary<undefined>(
  'SiluBackward0',
  (x) => x * sigmoid(x),
  // σ(x)·(1 + x·(1 − σ(x)))
  (g, x) => {
    const s = x.sigmoid();
    return g.mul(s.mul(x.mul(s.rsub(1)).add(1)));
  },
  (g, x) => {
    const s = sigmoid(x);
    return g * s * (1 + x * (1 - s));
  },
);

export interface SlopeArgs {
  readonly slope: number;
}

// At 0 the gradient is the slope, as PyTorch's `self > 0 ? grad : grad * negval`.
export const LeakyRelu = smoothUnary<SlopeArgs>(
  'LeakyReluBackward0',
  (x, { slope }) => (x > 0 ? x : x * slope),
  (g, x, { slope }) =>
    g.mul(
      above(x, 0)
        .mul(1 - slope)
        .add(slope),
    ),
  (g, x, { slope }) => (x > 0 ? g : g * slope),
);

export interface SoftplusArgs {
  readonly beta: number;
  readonly threshold: number;
}

/** log(1 + e^(βx))/β, and x itself where βx > threshold (as PyTorch, for stability). */
export const Softplus = smoothUnary<SoftplusArgs>(
  'SoftplusBackward0',
  (x, { beta, threshold }) => (x * beta > threshold ? x : Math.log1p(Math.exp(x * beta)) / beta),
  (g, x, { beta, threshold }) => {
    const bx = x.mul(beta);
    const linear = above(bx, threshold);
    return g.mul(linear.add(bx.sigmoid().mul(linear.rsub(1))));
  },
  (g, x, { beta, threshold }) => (x * beta > threshold ? g : g * sigmoid(x * beta)),
);

export interface EluArgs {
  readonly alpha: number;
}

/** x where x > 0, else α(e^x − 1). */
export const Elu = smoothUnary<EluArgs>(
  'EluBackward0',
  (x, { alpha }) => (x > 0 ? x : alpha * Math.expm1(x)),
  // e^min(x, 0): no overflow to Infinity (and 0 · Infinity) on the positive side.
  (g, x, { alpha }) => {
    const positive = above(x, 0);
    return g.mul(positive.add(x.clamp(null, 0).exp().mul(alpha).mul(positive.rsub(1))));
  },
  (g, x, { alpha }) => (x > 0 ? g : g * alpha * Math.exp(x)),
);
