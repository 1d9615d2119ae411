// The two builds of the WebAssembly kernels: relaxed SIMD (the matmul fuses its multiply-adds)
// where the runtime has it, plain SIMD as the fallback. The feature probe agrees with the
// kernel binary itself, each build is in use when it should be, and both give the float64
// reference within float32 rounding for every size and layout, forward and backward. A fused
// multiply-add rounds once where mul then add round twice: the builds may differ in the last
// bits, both well inside the bound (k + 2)·2⁻²⁴·Σ|a||b| that expectNear checks.
import { setFlagsFromString } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
// The engine first: its op modules import the kernels.
import '../../src/engine/index';
import { _setKernelBackend, dropSimd, simd } from '../../src/engine/wasm/module';
import { relaxedSimdSupported } from '../../src/engine/wasm/relaxed-simd';
import { SIMD_RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from '../../src/engine/wasm/simd.generated';
import { stopPool } from '../../src/engine/wasm/threads';
import {
  expectGradientsAsTypeScript,
  expectNear,
  layouts,
  MATMUL_SHAPES,
  reference,
} from '../helpers/matmul';
import { rng } from '../helpers/rng';

const binary = (base64: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(Buffer.from(base64, 'base64'));
const RELAXED = binary(SIMD_RELAXED_WASM_BASE64);

// Node 20's V8 has relaxed SIMD only behind this flag (later runtimes ship it). It is set
// before the engine probes, in this file's own process (vitest's forks pool), so the relaxed
// build is tested here even on Node 20.
if (!WebAssembly.validate(RELAXED)) setFlagsFromString('--experimental-wasm-relaxed-simd');
const runtimeHasRelaxed = WebAssembly.validate(RELAXED);

const saved = process.env.GRADLENS_NO_RELAXED_SIMD;
afterAll(() => {
  if (saved === undefined) delete process.env.GRADLENS_NO_RELAXED_SIMD;
  else process.env.GRADLENS_NO_RELAXED_SIMD = saved;
  _setKernelBackend('auto');
});

/** Instantiates the module again, as after a memory release, with the build now chosen. */
function reinstantiate(): NonNullable<ReturnType<typeof simd>> {
  const old = simd();
  if (old !== null) {
    stopPool(old);
    dropSimd(old);
  }
  const mod = simd();
  expect(mod).not.toBeNull();
  return mod!;
}

/** Every size and layout of the kernel tests, on WebAssembly, against the float64 reference. */
function expectProductsRight(build: string): void {
  expect(_setKernelBackend('wasm')).toBe('wasm');
  const r = rng(21);
  for (const [m, k, n] of MATMUL_SHAPES) {
    const as = layouts(r, m, k);
    const bs = layouts(r, k, n);
    const ref = reference(as.contiguous, bs.contiguous, null);
    for (const [la, a] of Object.entries(as))
      for (const [lb, b] of Object.entries(bs))
        expectNear(a.mm(b), ref, k, `${build} ${m}x${k} (${la}) @ ${k}x${n} (${lb})`);
  }
}

describe('relaxed SIMD kernels and their fallback', () => {
  it('probes relaxed SIMD exactly where the relaxed kernel binary validates', () => {
    expect(WebAssembly.validate(binary(SIMD_WASM_BASE64))).toBe(true);
    expect(relaxedSimdSupported()).toBe(runtimeHasRelaxed);
  });

  it('uses the relaxed build where the runtime has it, with right products and gradients', (ctx) => {
    ctx.skip(
      !runtimeHasRelaxed,
      'this runtime has no WebAssembly relaxed SIMD, even with --experimental-wasm-relaxed-simd',
    );
    delete process.env.GRADLENS_NO_RELAXED_SIMD;
    expect(reinstantiate().relaxed).toBe(true);
    expectProductsRight('relaxed');
    expectGradientsAsTypeScript('relaxed');
  });

  it('falls back to the plain SIMD build when GRADLENS_NO_RELAXED_SIMD is set, with right products and gradients', () => {
    process.env.GRADLENS_NO_RELAXED_SIMD = '1';
    expect(reinstantiate().relaxed).toBe(false);
    expectProductsRight('plain');
    expectGradientsAsTypeScript('plain');
  });
});
