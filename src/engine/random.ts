// PyTorch's CPU generator: a 32-bit Mersenne Twister (mt19937) with PyTorch's conversions
// to floats and normals, so `manualSeed(n)` followed by `rand`, `randn`, `uniform_`,
// `normal_` or `nn.Linear` gives the numbers PyTorch gives for the same seed.

const N = 624;
const M = 397;

class MT19937 {
  // Int32 rather than Uint32 storage: reads stay small integers in V8 instead of becoming
  // doubles above 2^31, and every operation below is 32-bit bitwise anyway.
  private readonly mt = new Int32Array(N);
  private mti = N;
  /** PyTorch caches the second Box-Muller sample of double normals. */
  nextDoubleNormal: number | null = null;

  constructor(seed: number) {
    this.seed(seed);
  }

  seed(seed: number): void {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = (mt[i - 1] ^ (mt[i - 1] >>> 30)) >>> 0;
      // 1812433253 * prev + i in 32-bit arithmetic, split to stay exact in doubles.
      mt[i] =
        ((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i;
    }
    this.mti = N;
    this.nextDoubleNormal = null;
  }

  private twist(): void {
    const mt = this.mt;
    // Three runs instead of `% N` on every index: i + 1 and i + M wrap at different places.
    let i = 0;
    for (; i < N - M; i++) {
      const y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff);
      mt[i] = mt[i + M] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    for (; i < N - 1; i++) {
      const y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff);
      mt[i] = mt[i + M - N] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    const y = (mt[N - 1] & 0x80000000) | (mt[0] & 0x7fffffff);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    this.mti = 0;
  }

  /** One 32-bit output, as an unsigned number. */
  next32(): number {
    if (this.mti >= N) this.twist();
    return temper(this.mt[this.mti++]) >>> 0;
  }

  /**
   * out[i] = value where a uniform double (two draws, as uniformDouble) is below
   * `threshold`, else 0: a dropout mask. The draws are taken from the state between two
   * twists with a local index, and compared as integers instead of building the double: a
   * field read and write per draw and the double's arithmetic were a third of a mask's cost.
   */
  fillBelow(out: Float32Array | Float64Array, threshold: number, value: number): void {
    const mt = this.mt;
    // The draw is below threshold when its 53-bit integer (21 bits of one word, then all 32 of
    // the next) is below threshold·2^53: compared word by word, in integers.
    const limit = threshold * 2 ** 53;
    const limitHi = Math.floor(limit / 2 ** 32);
    const limitLo = limit - limitHi * 2 ** 32;
    const n = out.length;
    let i = 0;
    while (i < n) {
      if (this.mti >= N) this.twist();
      let k = this.mti;
      const end = i + Math.min((N - k) >> 1, n - i);
      for (; i < end; i++, k += 2) {
        const hi = temper(mt[k]) & 0x1fffff;
        out[i] = hi < limitHi || (hi === limitHi && temper(mt[k + 1]) >>> 0 < limitLo) ? value : 0;
      }
      this.mti = k;
      if (i < n && k === N - 1) {
        // A pair across a twist: its first draw is the state's last.
        const hi = temper(mt[k]) & 0x1fffff;
        this.twist();
        const lo = temper(mt[this.mti++]) >>> 0;
        out[i++] = hi < limitHi || (hi === limitHi && lo < limitLo) ? value : 0;
      }
    }
  }
}

/** mt19937's tempering of one state word, as the int32 with its bits (`>>> 0` reads it unsigned). */
function temper(word: number): number {
  let y = word;
  y ^= y >>> 11;
  y ^= (y << 7) & 0x9d2c5680;
  y ^= (y << 15) & 0xefc60000;
  return y ^ (y >>> 18);
}

let generator = new MT19937(67280421310721);

/**
 * Seeds the random number generator so every random op (and `nn.Linear`'s init) repeats.
 * Same seed, same numbers as PyTorch's CPU generator.
 * @example
 * torch.manualSeed(0);
 * torch.rand(3).tolist(); // [0.4963, 0.7682, 0.0885] (approximately), as in PyTorch
 */
export function manualSeed(seed: number): void {
  generator = new MT19937(seed);
}

/** Uniform float32 in [from, to), PyTorch's `uniform_real_distribution<float>`. */
export function uniformFloat(from: number, to: number): number {
  const x = (generator.next32() & 0xffffff) * 2 ** -24;
  const f = Math.fround;
  return f(f(x * f(f(to) - f(from))) + f(from));
}

/** Uniform float64 in [from, to), PyTorch's `uniform_real_distribution<double>`. */
export function uniformDouble(from: number, to: number): number {
  const hi = generator.next32();
  const lo = generator.next32();
  // 53 low bits of (hi << 32 | lo).
  const x = ((hi & 0x1fffff) * 2 ** 32 + lo) * 2 ** -53;
  return x * (to - from) + from;
}

/** One normal sample the way PyTorch's `normal_distribution<double>` draws it. */
function normalDouble(mean: number, std: number): number {
  const cached = generator.nextDoubleNormal;
  if (cached !== null) {
    generator.nextDoubleNormal = null;
    return cached * std + mean;
  }
  const u1 = uniformDouble(0, 1);
  const u2 = uniformDouble(0, 1);
  const r = Math.sqrt(-2 * Math.log1p(-u2));
  const theta = 2 * Math.PI * u1;
  generator.nextDoubleNormal = r * Math.sin(theta);
  return r * Math.cos(theta) * std + mean;
}

function normalFill16(
  data: Float32Array | Float64Array,
  at: number,
  mean: number,
  std: number,
): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - data[at + j];
    const u2 = data[at + j + 8];
    const radius = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    data[at + j] = radius * Math.cos(theta) * std + mean;
    data[at + j + 8] = radius * Math.sin(theta) * std + mean;
  }
}

/**
 * Fills `data` with normal samples in PyTorch's order: tensors of 16 or more elements use
 * its vectorised Box-Muller over blocks of 16, smaller ones the scalar double path.
 */
export function fillNormal(data: Float32Array | Float64Array, mean: number, std: number): void {
  const n = data.length;
  const uniform =
    data instanceof Float32Array ? () => uniformFloat(0, 1) : () => uniformDouble(0, 1);
  if (n >= 16) {
    for (let i = 0; i < n; i++) data[i] = uniform();
    for (let i = 0; i + 16 <= n; i += 16) normalFill16(data, i, mean, std);
    if (n % 16 !== 0) {
      const at = n - 16;
      for (let i = 0; i < 16; i++) data[at + i] = uniform();
      normalFill16(data, at, mean, std);
    }
  } else {
    for (let i = 0; i < n; i++) data[i] = normalDouble(mean, std);
  }
}

/** Fills `data` with uniform samples in [from, to), element by element as PyTorch does. */
export function fillUniform(data: Float32Array | Float64Array, from: number, to: number): void {
  if (data instanceof Float32Array)
    for (let i = 0; i < data.length; i++) data[i] = uniformFloat(from, to);
  else for (let i = 0; i < data.length; i++) data[i] = uniformDouble(from, to);
}

/**
 * An integer in [from, from + range), PyTorch's `random_from_to`: one 32-bit draw modulo the
 * range, or a 64-bit draw (high word first) when the range needs more than 32 bits.
 */
export function uniformInt(from: number, range: number): number {
  if (range < 2 ** 32) return (generator.next32() % range) + from;
  const hi = BigInt(generator.next32());
  const lo = BigInt(generator.next32());
  return Number(((hi << 32n) | lo) % BigInt(range)) + from;
}

/** An Exp(1) sample, PyTorch's CPU `exponential_` without MKL: -log(1 - u), u a double. */
export function exponentialUnit(): number {
  return -Math.log1p(-uniformDouble(0, 1));
}

/**
 * A uniform double in [0, 1), PyTorch's draw for `bernoulli_(p)` without MKL (Debian's
 * build), so dropout masks match it for the same seed. MKL builds draw masks differently.
 */
export function randomUnit(): number {
  return uniformDouble(0, 1);
}

/**
 * A dropout mask: each element `value` with probability `keep`, else 0, drawn as
 * randomUnit() < keep element by element (PyTorch's bernoulli_ without MKL).
 */
export function fillBernoulliMask(
  out: Float32Array | Float64Array,
  keep: number,
  value: number,
): void {
  generator.fillBelow(out, keep, value);
}

/** PyTorch's CPU randperm: a Fisher-Yates shuffle drawing `random() % (n - i)`. */
export function shuffledRange(n: number, source: MT19937 = generator): Int32Array {
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = source.next32() % (n - i);
    const sav = r[i];
    r[i] = r[z + i];
    r[z + i] = sav;
  }
  return r;
}

/**
 * The low 32 bits of `torch.empty((), dtype=torch.int64).random_()`: it draws two 32-bit
 * outputs (high, then low) from the default generator, and a generator seeded with that
 * value keeps only its low 32 bits.
 */
function drawSeed(): number {
  generator.next32();
  return generator.next32();
}

/**
 * One epoch of a shuffling DataLoader, as PyTorch draws it: the loader's iterator takes a
 * base seed, then RandomSampler seeds a fresh generator from the default one and runs
 * randperm on it. `shuffle` false still takes the base seed, as PyTorch does.
 */
export function loaderEpochOrder(n: number, shuffle: boolean): Int32Array | null {
  drawSeed();
  return shuffle ? shuffledRange(n, new MT19937(drawSeed())) : null;
}
