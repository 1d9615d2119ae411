// GRADLENS_NO_WASM=1 forces the TypeScript matmul kernel. The variable is read at the first
// float32 product, so this file (its own module instance under vitest's isolation) sets it
// before any product runs.
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import { wasmMatmul } from '../../src/engine/wasm/gemm';
import { _setKernelBackend } from '../../src/engine/wasm/module';

const saved = process.env.GRADLENS_NO_WASM;
process.env.GRADLENS_NO_WASM = '1';

afterAll(() => {
  if (saved === undefined) delete process.env.GRADLENS_NO_WASM;
  else process.env.GRADLENS_NO_WASM = saved;
  _setKernelBackend('auto');
});

describe('GRADLENS_NO_WASM', () => {
  it('keeps float32 products in TypeScript until a backend is chosen in code', () => {
    torch.manualSeed(0);
    const a = torch.randn(64, 64);
    const b = torch.randn(64, 64);
    const c = new Float32Array(64 * 64);
    expect(wasmMatmul(a, b, c, true)).toBe(false);
    expect(a.mm(b).shape).toEqual([64, 64]);
    // The same product is taken by WebAssembly once the choice is back to automatic.
    _setKernelBackend('auto');
    expect(wasmMatmul(a, b, c, true)).toBe(true);
  });
});
