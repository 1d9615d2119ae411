// Where two threads overtake one on square float32 products: the measurement behind
// THREAD_MIN_WORK in src/engine/wasm/gemm.ts. Run by hand (`node bench/matmul-threads.mjs`,
// optionally SIZES=64,128 ROUNDS=4); not part of `npm run bench`.
//
// The engine is bundled from src with THREAD_MIN_WORK set to 1, so that every size may be
// split; GRADLENS_THREADS=1 and =2 run in separate child processes, alternated ROUNDS times,
// and each size keeps its best time (on a shared machine the best is the least disturbed).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sizes = (process.env.SIZES ?? '32,48,64,80,96,128,160,192,256,384,512')
  .split(',')
  .map(Number);
const THRESHOLD = 'export const THREAD_MIN_WORK = 1 << 21;';

/** The engine with every product splittable, bundled to `outfile`. */
async function bundleSplittable(outfile) {
  await esbuild.build({
    entryPoints: [join(root, 'src/engine/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile,
    logLevel: 'error',
    plugins: [
      {
        name: 'split-every-product',
        setup(build) {
          build.onLoad({ filter: /wasm[/\\]gemm\.ts$/ }, (args) => {
            const source = readFileSync(args.path, 'utf8');
            if (!source.includes(THRESHOLD))
              throw new Error(`bench/matmul-threads.mjs: update THRESHOLD (${THRESHOLD})`);
            return {
              loader: 'ts',
              contents: source.replace(THRESHOLD, 'export const THREAD_MIN_WORK = 1;'),
            };
          });
        },
      },
    ],
  });
}

/** In a child: the best milliseconds of an n×n×n product for each size. */
async function child(engine) {
  const torch = await import(engine);
  torch.manualSeed(0);
  // Workers boot in the background; products keep them spinning until they are ready.
  const w = torch.randn(256, 256);
  for (let i = 0; i < 20; i++) {
    w.matmul(w);
    await new Promise((r) => setTimeout(r, 50));
  }
  const best = {};
  for (let pass = 0; pass < 3; pass++) {
    for (const n of sizes) {
      const a = torch.randn(n, n);
      const b = torch.randn(n, n);
      const reps = Math.max(5, Math.round(2e8 / n ** 3));
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        a.matmul(b);
        best[n] = Math.min(best[n] ?? Infinity, performance.now() - t0);
      }
    }
  }
  console.log(JSON.stringify(best));
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'gradlens-matmul-threads-'));
  const engine = join(dir, 'engine.mjs');
  try {
    await bundleSplittable(engine);
    const best = {};
    for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
      for (const threads of [1, 2]) {
        const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), engine], {
          env: { ...process.env, GRADLENS_THREADS: String(threads) },
          encoding: 'utf8',
        });
        for (const [n, ms] of Object.entries(JSON.parse(out)))
          best[`${n}/${threads}`] = Math.min(best[`${n}/${threads}`] ?? Infinity, ms);
      }
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`Load average ${load}. GFLOP/s (best of ${process.env.ROUNDS ?? 3} rounds):`);
    console.log('| n | 1 thread | 2 threads | speed-up |\n|---|---|---|---|');
    for (const n of sizes) {
      const [one, two] = [best[`${n}/1`], best[`${n}/2`]];
      const gflops = (ms) => ((2 * n ** 3) / ms / 1e6).toFixed(1);
      console.log(`| ${n} | ${gflops(one)} | ${gflops(two)} | ${(one / two).toFixed(2)} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2]) await child(process.argv[2]);
else await main();
