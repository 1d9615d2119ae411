// W4 (1024² float32 matmul forward, and forward+backward counted as 3 products) of one or more
// built engines, each in fresh processes under the runner's Node flags, on one thread and on
// two, the engines alternated ROUNDS times so that they meet the same load. A process times
// REPS (5) of each after the table's warm-up, so that a busy moment spoils fewer of them. Beside each
// process's best wall time it reports the GFLOP/s per CPU-second of the whole process (both
// threads), which a loaded machine inflates far less. Run by hand, not part of `npm run bench`:
//   node bench/w4-engines.mjs [--rounds N] [--engine DIR ...]
// Each --engine is a checkout whose dist/engine was built (default: this one), e.g. the
// previous commit's in a `git archive` copy with node_modules linked, built.
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { paramsFor, RUNNER_NODE_FLAGS } from './config.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CHILD = '--child';
const REPS = 5;

/** In a child: W4's warm-up and timed repetitions; prints [wall ms, CPU ms] per repetition. */
async function child(dir) {
  const torch = await import(pathToFileURL(join(dir, 'dist/engine/index.mjs')).href);
  const p = paramsFor('gradlens', 'W4', false);
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const time = (f) => {
    const c0 = cpuMs();
    const t0 = performance.now();
    f();
    return [performance.now() - t0, cpuMs() - c0];
  };
  torch.manualSeed(0);
  const phase = (n, fwdReps, fwdBwdReps) => {
    const a = torch.randn(n, n, { requiresGrad: true });
    const b = torch.randn(n, n, { requiresGrad: true });
    const g = torch.ones(n, n);
    const fwd = Array.from({ length: fwdReps }, () => time(() => a.matmul(b)));
    const fwdBwd = Array.from({ length: fwdBwdReps }, () =>
      time(() => {
        a.matmul(b).backward(g);
        a.grad = null;
        b.grad = null;
      }),
    );
    return { fwd, fwdBwd };
  };
  phase(p.warmupN, 2, 2);
  globalThis.gc?.();
  console.log(JSON.stringify({ n: p.n, ...phase(p.n, REPS, REPS) }));
}

async function main() {
  const args = process.argv.slice(2);
  const rounds = Number(args[args.indexOf('--rounds') + 1] || 5);
  const engines = args.flatMap((a, i) => (args[i - 1] === '--engine' ? [resolve(a)] : []));
  if (engines.length === 0) engines.push(join(here, '..'));
  const runs = new Map();
  const loads = [];
  for (let r = 0; r < rounds; r++) {
    for (const threads of ['2', '1']) {
      for (const dir of engines) {
        loads.push(loadavg()[0]);
        const out = execFileSync(
          process.execPath,
          [...RUNNER_NODE_FLAGS, '--expose-gc', fileURLToPath(import.meta.url), CHILD, dir],
          { env: { ...process.env, GRADLENS_THREADS: threads }, encoding: 'utf8' },
        );
        const { n, fwd, fwdBwd } = JSON.parse(out.trim().split('\n').pop());
        const flops = 2 * n ** 3;
        const best = (reps, i, products) =>
          (products * flops) / Math.min(...reps.map((x) => x[i])) / 1e6;
        const key = `${dir}, ${threads} thread${threads === '1' ? '' : 's'}`;
        if (!runs.has(key)) runs.set(key, { fw: [], fc: [], bw: [], bc: [] });
        const e = runs.get(key);
        e.fw.push(best(fwd, 0, 1));
        e.fc.push(best(fwd, 1, 1));
        e.bw.push(best(fwdBwd, 0, 3));
        e.bc.push(best(fwdBwd, 1, 3));
      }
    }
  }
  const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
  const fmt = (a) => `${median(a).toFixed(1)} (best ${Math.max(...a).toFixed(1)})`;
  console.log(
    `W4 GFLOP/s, medians over ${rounds} fresh processes of each one's best repetition; ` +
      `1-minute load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
  );
  for (const [key, e] of runs)
    console.log(
      `${key}: forward ${fmt(e.fw)}, per CPU-second ${fmt(e.fc)}; ` +
        `forward+backward ${fmt(e.bw)}, per CPU-second ${fmt(e.bc)}`,
    );
}

if (process.argv[2] === CHILD) await child(process.argv[3]);
else await main();
