// Large float32 products split over worker threads on shared WebAssembly memory: the parts
// really run on a worker (its count of parts run moves), by rows and by columns, and the
// result is the float64 reference within float32 rounding. A script that used the
// workers still exits on its own. This file sets GRADLENS_THREADS before the pool starts
// (vitest gives each file its own module instances).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src/engine/index';
import {
  wasmMatmul,
  wasmProduct,
  THREAD_MIN_SIDE,
  THREAD_MIN_WORK,
} from '../../src/engine/wasm/gemm';
import { simd } from '../../src/engine/wasm/module';
import { readyThreads, threadCount, workerParts } from '../../src/engine/wasm/threads';
import { expectNear, randomMatrix, reference } from '../helpers/matmul';
import { rng } from '../helpers/rng';

const saved = process.env.GRADLENS_THREADS;
process.env.GRADLENS_THREADS = '2';

afterAll(() => {
  if (saved === undefined) delete process.env.GRADLENS_THREADS;
  else process.env.GRADLENS_THREADS = saved;
});

/** Parts the (one) worker has run so far. */
const workerRan = (): number => workerParts(simd()!)[0];

async function workersReady(): Promise<number> {
  const mod = simd()!;
  for (let i = 0; i < 200 && readyThreads(mod) < 2; i++)
    await new Promise((r) => setTimeout(r, 25));
  return readyThreads(mod);
}

describe('worker threads for large matmuls', () => {
  it('reads GRADLENS_THREADS, ignoring values that are not a positive integer', () => {
    expect(threadCount()).toBe(2);
    for (const [v, want] of [
      ['1', 1],
      ['3', 3],
      ['1000', 16],
    ] as const) {
      process.env.GRADLENS_THREADS = v;
      expect(threadCount(), v).toBe(want);
    }
    for (const v of ['0', '-2', '1.5', 'many']) {
      process.env.GRADLENS_THREADS = v;
      expect(threadCount(), v).toBeGreaterThanOrEqual(1);
      expect(threadCount(), v).toBeLessThanOrEqual(4);
    }
    process.env.GRADLENS_THREADS = '2';
  });

  it('splits large products into blocks of rows and columns, with correct results whoever runs them', async () => {
    expect(simd()?.shared).toBe(true);
    expect(await workersReady()).toBe(2);
    const r = rng(11);
    // [m, k, n]: tall (split by rows, ragged last tile), wide (split by columns), transposed
    // operands as the backward pass passes them.
    const shapes: Array<[number, number, number]> = [
      [301, 150, 131],
      [129, 700, 1003],
      [256, 784, 130],
    ];
    for (const [m, k, n] of shapes) {
      expect(m * n * k).toBeGreaterThanOrEqual(2 * THREAD_MIN_WORK);
      expect(Math.min(m, k, n)).toBeGreaterThanOrEqual(THREAD_MIN_SIDE);
      for (const transposed of [false, true]) {
        const a = transposed ? randomMatrix(r, k, m).t() : randomMatrix(r, m, k);
        const b = transposed ? randomMatrix(r, n, k).t() : randomMatrix(r, k, n);
        const c = new Float32Array(m * n);
        expect(wasmMatmul(a, b, c, true)).toBe(true);
        const what = `${m}x${k} @ ${k}x${n}${transposed ? ' (transposed)' : ''}`;
        expectNear(torch.tensor(c).reshape(m, n), reference(a, b, null), k, what);
        // Added to a C that is not zero (addmm's bias), copied in while B is packed.
        const bias = randomMatrix(r, m, n);
        const acc = Float32Array.from(bias.contiguous()._data as Float32Array);
        expect(wasmMatmul(a, b, acc, false)).toBe(true);
        expectNear(torch.tensor(acc).reshape(m, n), reference(a, b, bias), k, `${what} + C`);
      }
    }
  });

  it('runs a unit wider than a block of 256 columns in passes of 256 (n = 16392: 63 units of 264)', async () => {
    expect(await workersReady()).toBe(2);
    const r = rng(16);
    const [m, k, n] = [128, 128, 16392];
    const a = randomMatrix(r, m, k);
    const b = randomMatrix(r, k, n);
    const c = new Float32Array(m * n);
    expect(wasmMatmul(a, b, c, true)).toBe(true);
    // Every column, in the first and last rows (the float64 reference of all of it is slow).
    for (const i of [0, m - 1]) {
      const row = torch.tensor(c.subarray(i * n, (i + 1) * n)).reshape(1, n);
      expectNear(row, reference(a.narrow(0, i, 1), b, null), k, `row ${i}`);
    }
  });

  it('allocates a new product once, while the workers run it, or not at all when it stays in TypeScript', async () => {
    expect(await workersReady()).toBe(2);
    const r = rng(15);
    for (const transposed of [false, true]) {
      const a = transposed ? randomMatrix(r, 300, 257).t() : randomMatrix(r, 257, 300);
      const b = transposed ? randomMatrix(r, 140, 300).t() : randomMatrix(r, 300, 140);
      let allocated = 0;
      const c = wasmProduct(a, b, () => {
        allocated++;
        return new Float32Array(257 * 140);
      });
      expect(allocated).toBe(1);
      expectNear(torch.tensor(c!).reshape(257, 140), reference(a, b, null), 300, `${transposed}`);
    }
    let allocated = 0;
    const tiny = wasmProduct(randomMatrix(r, 2, 2), randomMatrix(r, 2, 2), () => {
      allocated++;
      return new Float32Array(4);
    });
    expect(tiny).toBe(null);
    expect(allocated).toBe(0);
  });

  it('has the worker run parts (the caller takes them only when the worker is late)', async () => {
    expect(await workersReady()).toBe(2);
    const r = rng(13);
    const a = randomMatrix(r, 256, 256);
    const b = randomMatrix(r, 256, 256);
    const ref = reference(a, b, null);
    const before = workerRan();
    // A worker that was asleep can lose a race for the second part; over a few products it
    // wins some unless the machine never schedules it.
    for (let i = 0; i < 200 && workerRan() === before; i++) {
      const c = new Float32Array(256 * 256);
      expect(wasmMatmul(a, b, c, true)).toBe(true);
      expectNear(torch.tensor(c).reshape(256, 256), ref, 256, `product ${i}`);
    }
    expect(workerRan()).toBeGreaterThan(before);
  });

  it('keeps small products on the calling thread', async () => {
    expect(await workersReady()).toBe(2);
    const r = rng(12);
    const before = workerRan();
    const c = new Float32Array(64 * 64);
    expect(wasmMatmul(randomMatrix(r, 64, 64), randomMatrix(r, 64, 64), c, true)).toBe(true);
    expect(workerRan()).toBe(before);
  });

  it('keeps a batch of 64 on the calling thread however large the product', async () => {
    expect(await workersReady()).toBe(2);
    const r = rng(14);
    const before = workerRan();
    // W1's first layer: 64x784 @ 784x256, above THREAD_MIN_WORK but too thin to share.
    expect(64 * 784 * 256).toBeGreaterThanOrEqual(2 * THREAD_MIN_WORK);
    for (let i = 0; i < 20; i++) {
      const c = new Float32Array(64 * 256);
      expect(wasmMatmul(randomMatrix(r, 64, 784), randomMatrix(r, 784, 256), c, true)).toBe(true);
    }
    expect(workerRan()).toBe(before);
  });

  it('lets a script that used the workers exit by itself', () => {
    const root = join(__dirname, '..', '..');
    const script = [
      "import * as torch from 'gradlens';",
      'const a = torch.randn(512, 512);',
      'a.matmul(a);',
      'await new Promise((r) => setTimeout(r, 300));',
      "console.log(a.matmul(a).shape.join('x'));",
    ].join('\n');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, GRADLENS_THREADS: '2' },
    });
    expect(out.trim()).toBe('512x512');
  });
});
