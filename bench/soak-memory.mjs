// Memory of a long training loop under the runner, measured (not asserted): a W1-sized MLP
// (784-256-10, batch 64, Adam) trains for the given time under `gradlens run --monitor`, the
// way the extension runs a script, while this process samples the resident size of the
// runner child (the process that runs the script) and of the host (the CLI, which receives
// the training record). Prints start, end, peak and the slope of each, and the record's rows.
// Usage: npm run build && node bench/soak-memory.mjs [--minutes N] [--interval SECONDS] [--json FILE]
import { spawn } from 'node:child_process';
import { clearInterval, setInterval } from 'node:timers';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'gradlens.cjs');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const minutes = Number(option('--minutes', '60'));
const seconds = minutes * 60;
// About 120 samples whatever the duration, never more than one a second.
const intervalS = Number(option('--interval', String(Math.max(1, seconds / 120))));
const jsonOut = option('--json', null);
// The first tenth of the run (at least 10 s) is warm-up: the engine's module, the JIT, the
// first graph's capture. Start, slope and growth are taken after it.
const warmupS = Math.max(10, seconds / 10);

const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-soak-'));
const script = path.join(dir, 'train.mjs');
writeFileSync(
  script,
  `import * as torch from 'gradlens';
const { nn, optim } = torch;
torch.manualSeed(0);
const model = new nn.Sequential(
  new nn.Linear(784, 256), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(256, 10),
);
const lossFn = new nn.CrossEntropyLoss();
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
// A new batch each step, as a data loader gives, from a pool so the data is not the growth.
const pool = Array.from({ length: 16 }, () => torch.randn(64, 784));
const y = torch.tensor(Array.from({ length: 64 }, (_, i) => (i * 7) % 10), { dtype: 'int64' });
const until = Date.now() + ${seconds * 1000};
let step = 0;
console.log('START');
// Epochs of 200 steps with the event loop free between them, as an async data loader leaves it.
while (Date.now() < until) {
  for (let i = 0; i < 200; i++, step++) {
    opt.zeroGrad();
    const loss = lossFn.forward(model.forward(pool[step % pool.length]), y);
    loss.backward();
    opt.step();
  }
  await new Promise((r) => setImmediate(r));
}
console.log('STEPS ' + step);
`,
);

function rssMB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The runner child: the descendant of the CLI that runs dist/runner/child.cjs. */
function findChild(pid) {
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    let kids;
    try {
      kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean);
    } catch {
      continue;
    }
    for (const kid of kids) {
      try {
        if (readFileSync(`/proc/${kid}/cmdline`, 'utf8').includes('child.cjs')) return Number(kid);
      } catch {
        // gone meanwhile
      }
      const deeper = findChild(kid);
      if (deeper !== null) return deeper;
    }
  }
  return null;
}

/** Least-squares slope of (t, v), in MB per hour. */
function slopePerHour(samples, key) {
  const n = samples.length;
  if (n < 2) return NaN;
  const mt = samples.reduce((s, x) => s + x.t, 0) / n;
  const mv = samples.reduce((s, x) => s + x[key], 0) / n;
  let num = 0;
  let den = 0;
  for (const x of samples) {
    num += (x.t - mt) * (x[key] - mv);
    den += (x.t - mt) ** 2;
  }
  return (num / den) * 3600;
}

const host = spawn(
  process.execPath,
  [
    CLI,
    'run',
    script,
    '--monitor',
    path.join(dir, 'monitor.json'),
    '--graph',
    path.join(dir, 'g.svg'),
  ],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
);
let stdout = '';
host.stdout.on('data', (d) => (stdout += d));

const samples = [];
let child = null;
let t0 = null;
const timer = setInterval(() => {
  if (child === null && stdout.includes('START')) {
    child = findChild(host.pid);
    t0 = performance.now();
  }
  if (child === null) return;
  const c = rssMB(child);
  const h = rssMB(host.pid);
  if (c === null || h === null) return;
  samples.push({ t: (performance.now() - t0) / 1000, child: c, host: h });
}, intervalS * 1000);

const code = await new Promise((resolve) => host.on('exit', resolve));
clearInterval(timer);
if (code !== 0) throw new Error(`gradlens run exited with ${code}\n${stdout}`);
const steps = Number(/STEPS (\d+)/.exec(stdout)?.[1] ?? NaN);
// The host's training record as it wrote it at the end: its rows and last step.
const record = JSON.parse(readFileSync(path.join(dir, 'monitor.json'), 'utf8')).metrics;
const steady = samples.filter((s) => s.t >= warmupS);
if (steady.length < 2) throw new Error(`too few samples after warm-up (${samples.length} in all)`);

const report = {};
for (const key of ['child', 'host']) {
  const start = steady[0][key];
  const end = steady[steady.length - 1][key];
  report[key] = {
    firstMB: samples[0][key],
    startMB: start,
    endMB: end,
    peakMB: Math.max(...samples.map((s) => s[key])),
    slopeMBPerHour: slopePerHour(steady, key),
  };
}
const f = (x) => x.toFixed(1);
console.log(
  `Training loop under the runner (W1 MLP, gradlens run --monitor): ${minutes} min, ${steps} steps, ${samples.length} RSS samples every ${intervalS} s; start = after ${warmupS} s of warm-up`,
);
for (const [key, label] of [
  ['child', 'runner child (script)'],
  ['host', 'host (gradlens run)'],
]) {
  const r = report[key];
  console.log(
    `  ${label}: RSS first ${f(r.firstMB)} MB, start ${f(r.startMB)}, end ${f(r.endMB)} (${r.endMB >= r.startMB ? '+' : ''}${f(r.endMB - r.startMB)}), peak ${f(r.peakMB)}; slope ${f(r.slopeMBPerHour)} MB/hour`,
  );
}
console.log(
  `  training record on the host: ${record.length} rows, last step ${record.at(-1)?.step ?? 'none'}`,
);
if (jsonOut)
  writeFileSync(
    jsonOut,
    JSON.stringify({ minutes, steps, recordRows: record.length, report, samples }, null, 1),
  );
