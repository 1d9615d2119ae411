// The engine's two float32 matmul kernels side by side: the portable TypeScript one
// (GRADLENS_NO_WASM=1) and WebAssembly SIMD, on the bench's own W1 and W4 workloads
// (bench/peers/gradlens.mjs, amounts from bench/config.mjs). Each kernel runs in its own child
// process, so JIT state and heaps never mix. Needs a built engine (npm run build).
//
//   node --expose-gc bench/matmul-kernels.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { paramsFor } from './config.mjs';

const quick = process.argv.includes('--quick');
const KERNELS = [
  { id: 'ts', label: 'TypeScript', env: { GRADLENS_NO_WASM: '1' } },
  { id: 'wasm', label: 'WASM SIMD', env: { GRADLENS_NO_WASM: '' } },
];
const ROWS = [
  { workload: 'W1', key: 'stepsPerSec', label: (p) => `W1 MLP 784-256-10 train step, batch ${p.batch}`, unit: 'steps/s', digits: 0 },
  { workload: 'W4', key: 'fwdGflops', label: (p) => `W4 ${p.n}x${p.n} matmul forward`, unit: 'GFLOP/s', digits: 1 },
  { workload: 'W4', key: 'fwdBwdGflops', label: (p) => `W4 ${p.n}x${p.n} matmul forward+backward`, unit: 'GFLOP/s', digits: 1 },
];

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  // One kernel, every workload: print the results as JSON for the parent.
  const { workloads } = await import('./peers/gradlens.mjs');
  const out = {};
  for (const w of ['W1', 'W4']) out[w] = workloads[w](paramsFor('gradlens', w, quick));
  process.stdout.write(JSON.stringify(out));
} else {
  const self = fileURLToPath(import.meta.url);
  const results = {};
  for (const k of KERNELS) {
    const args = ['--expose-gc', self, '--child', k.id, ...(quick ? ['--quick'] : [])];
    results[k.id] = JSON.parse(execFileSync(process.execPath, args, { env: { ...process.env, ...k.env }, encoding: 'utf8' }));
  }
  const lines = [`| Metric | ${KERNELS.map((k) => k.label).join(' | ')} | WASM / TS |`, `|---|${KERNELS.map(() => '---:|').join('')}---:|`];
  for (const r of ROWS) {
    const v = KERNELS.map((k) => results[k.id][r.workload][r.key]);
    lines.push(`| ${r.label(paramsFor('gradlens', r.workload, quick))} (${r.unit}) | ${v.map((x) => x.toFixed(r.digits)).join(' | ')} | ${(v[1] / v[0]).toFixed(1)}x |`);
  }
  console.log(lines.join('\n'));
}
