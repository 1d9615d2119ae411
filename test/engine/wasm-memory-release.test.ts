// The WebAssembly memory a large product grew is given back once large products stop: the
// module in use then has a small memory again (read from WebAssembly.Memory's buffer size),
// its workers were replaced, and products after the release are still right. The worker
// threads end once products stop for longer, and start again for the next product.
import { afterAll, expect, it } from 'vitest';
import { wasmMatmul } from '../../src/engine/wasm/gemm';
import {
  IDLE_MS,
  KEEP_BYTES,
  POOL_IDLE_MS,
  releaseCheckAt,
} from '../../src/engine/wasm/memory-release';
import { simd } from '../../src/engine/wasm/module';
import { poolRunning, readyThreads } from '../../src/engine/wasm/threads';
import * as torch from '../../src/engine/index';
import { expectNear, randomMatrix, reference } from '../helpers/matmul';
import { rng } from '../helpers/rng';

const saved = process.env.GRADLENS_THREADS;
process.env.GRADLENS_THREADS = '2';
afterAll(() => {
  if (saved === undefined) delete process.env.GRADLENS_THREADS;
  else process.env.GRADLENS_THREADS = saved;
});

const r = rng(5);
const bytes = (): number => simd()!.memory.buffer.byteLength;

/** a·b on the WebAssembly kernel, checked against the float64 reference. */
function product(m: number, k: number, n: number): void {
  const a = randomMatrix(r, m, k);
  const b = randomMatrix(r, k, n);
  const c = new Float32Array(m * n);
  expect(wasmMatmul(a, b, c, true)).toBe(true);
  expectNear(torch.tensor(c).reshape(m, n), reference(a, b, null), k, `${m}x${k}x${n}`);
}

it('gives back the memory of a large product once large products stop, and multiplies right after', async () => {
  product(64, 64, 64);
  const small = simd()!;
  expect(small.memory.buffer.byteLength).toBeLessThanOrEqual(KEEP_BYTES);
  for (let i = 0; i < 200 && readyThreads(small) < 2; i++)
    await new Promise((res) => setTimeout(res, 25));

  // A 1500x1500 float32 result: over KEEP_BYTES, split over both threads.
  product(1500, 16, 1500);
  const large = simd()!;
  expect(large).toBe(small);
  expect(bytes()).toBeGreaterThan(KEEP_BYTES);
  // Due IDLE_MS after this product, not POOL_IDLE_MS after the small one armed the check.
  expect(releaseCheckAt()).not.toBeNull();
  expect(releaseCheckAt()! - Date.now()).toBeLessThanOrEqual(IDLE_MS);

  await expect.poll(() => simd() !== large, { timeout: 20_000, interval: 100 }).toBe(true);
  expect(bytes()).toBeLessThanOrEqual(KEEP_BYTES);
  product(300, 200, 100);
  product(1500, 16, 1500);
});

it('ends the worker threads once products stop for a while, and starts them again for the next large product', async () => {
  // After the test above: its large product's memory goes first.
  await expect
    .poll(() => simd()!.memory.buffer.byteLength, { timeout: 20_000, interval: 100 })
    .toBeLessThanOrEqual(KEEP_BYTES);
  product(64, 64, 64);
  const mod = simd()!;
  for (let i = 0; i < 200 && readyThreads(mod) < 2; i++)
    await new Promise((res) => setTimeout(res, 25));
  expect(poolRunning(mod)).toBe(true);
  product(300, 200, 100);

  await expect
    .poll(() => poolRunning(mod), { timeout: POOL_IDLE_MS + 20_000, interval: 100 })
    .toBe(false);
  // The module and its small memory stay; only the workers went.
  expect(simd()).toBe(mod);
  product(600, 300, 600);
  expect(poolRunning(mod)).toBe(true);
  for (let i = 0; i < 200 && readyThreads(mod) < 2; i++)
    await new Promise((res) => setTimeout(res, 25));
  expect(readyThreads(mod)).toBe(2);
  product(600, 300, 600);
});
