// The Python tracer's costs, measured (not asserted): (1) capture overhead on a 1,000-iteration
// 1-10-10-1 Adam loop (torch on one thread), the same script run by plain python and under
// `gradlens run`, default capture policy; (2) time from the end of a PyTorch script to its
// SVG for a graph of about 1,000 nodes; (3) the tracer's cost per step, plain and traced steps
// interleaved in one process (bench/python_step_cost.py): far steadier than (1) on a loaded machine.
// Usage: npm run build && node bench/python-capture.mjs [--quick] [--python PATH]
// The last stdout line carries the figures as JSON after RESULT_MARK: bench/run.mjs puts them
// in the table's "Python tracer" rows.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULT_MARK } from './config.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'gradlens.cjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-pybench-'));
const quick = process.argv.includes('--quick');
const at = process.argv.indexOf('--python');
const python =
  at > 0 ? process.argv[at + 1] : (process.env.GRADLENS_TEST_PYTHON ?? '/usr/bin/python3');
const runs = quick ? 1 : 5;

const loop = path.join(dir, 'adam_loop.py');
writeFileSync(
  loop,
  `import time
import torch
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 10), nn.ReLU(), nn.Linear(10, 10), nn.ReLU(), nn.Linear(10, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
x = torch.linspace(-3, 3, 100).unsqueeze(1)
y = torch.sin(x)
start = time.perf_counter()
cpu = time.process_time()
for _ in range(1000):
    opt.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    opt.step()
print("LOOP_MS", (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
`,
);

/** The loop's wall-clock and CPU time (ms): on a loaded machine the CPU time, which counts the
 * tracer's threads too, varies far less than the wall clock. */
function loopMs(args) {
  const r = spawnSync(args[0], args.slice(1), { encoding: 'utf8', cwd: dir });
  if (r.status !== 0) throw new Error(r.stderr);
  const [, wall, cpu] = /LOOP_MS (\S+) (\S+)/.exec(r.stdout);
  return { wall: Number(wall), cpu: Number(cpu) };
}
const plain = [];
const traced = [];
const overheadPct = {};
for (let i = 0; i < runs; i++) {
  plain.push(loopMs([python, loop]));
  traced.push(
    loopMs([
      process.execPath,
      CLI,
      'run',
      loop,
      '--python',
      python,
      '--monitor',
      path.join(dir, 'm.json'),
    ]),
  );
}
for (const clock of ['wall', 'cpu']) {
  const p = plain.map((r) => r[clock]);
  const t = traced.map((r) => r[clock]);
  overheadPct[clock] = (Math.min(...t) / Math.min(...p) - 1) * 100;
  const overhead = overheadPct[clock].toFixed(1);
  const medianOverhead = ((median(t) / median(p) - 1) * 100).toFixed(1);
  console.log(
    `1-10-10-1 Adam, 1,000 iterations, 1 thread, ${clock} time: plain ${Math.min(...p).toFixed(0)} ms, under gradlens ${Math.min(...t).toFixed(0)} ms -> overhead ${overhead}% (of medians ${medianOverhead}%; goal <= 10%; runs plain ${p.map((v) => v.toFixed(0)).join(', ')}; traced ${t.map((v) => v.toFixed(0)).join(', ')})`,
  );
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// The same loop's steps, plain and traced interleaved in one process (CPU µs per step, medians).
const stepCost = spawnSync(python, [path.join(ROOT, 'bench', 'python_step_cost.py')], {
  encoding: 'utf8',
  cwd: dir,
  env: { ...process.env, PYTHONPATH: path.join(ROOT, 'python') },
});
if (stepCost.status !== 0) throw new Error(stepCost.stderr);
const phases = [...stepCost.stdout.matchAll(/STEP (?!p10)(\S+) (\S+) (\S+)/g)].map(
  ([, name, plain, traced]) => `${name} ${(Number(traced) - Number(plain)).toFixed(1)}`,
);
const [, plainStep, tracedStep] = /STEP total (\S+) (\S+)/.exec(stepCost.stdout);
overheadPct.step = (tracedStep / plainStep - 1) * 100;
const [, plainP10, tracedP10] = /STEP p10 (\S+) (\S+)/.exec(stepCost.stdout);
console.log(
  `per step, interleaved in one process (CPU, medians): plain ${plainStep} µs, traced ${tracedStep} µs -> overhead ${((tracedStep / plainStep - 1) * 100).toFixed(1)}% (µs added: ${phases.join(', ')}); tenth percentiles: plain ${plainP10} µs, traced ${tracedP10} µs -> ${((tracedP10 / plainP10 - 1) * 100).toFixed(1)}%`,
);

// ~1,000 nodes: 330 chained op triples on a vector, then sum.
const graph = path.join(dir, 'thousand.py');
writeFileSync(
  graph,
  `import time
import torch

x = torch.randn(8, requires_grad=True)
h = x
for _ in range(330):
    h = torch.tanh(h * 1.01) + x
h.sum().backward()
print("END", time.time() * 1000)
`,
);
const svg = path.join(dir, 'thousand.svg');
const times = [];
for (let i = 0; i < (quick ? 1 : 3); i++) {
  const r = spawnSync(
    process.execPath,
    [CLI, 'run', graph, '--python', python, '--graph', svg, '--max-nodes', '5000'],
    { encoding: 'utf8', cwd: dir },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  const end = Number(/END (\S+)/.exec(r.stdout)[1]);
  times.push(statSync(svg).mtimeMs - end);
  if (i === 0) console.log(r.stderr.trim());
}
console.log(
  `PyTorch script end -> SVG, ~1,000-node graph: best ${Math.min(...times).toFixed(0)} ms (runs: ${times.map((v) => v.toFixed(0)).join(', ')}; goal <= 1000 ms)`,
);
const result = {
  ok: true,
  version: `Python tracer (gradlens run) with ${python}`,
  metrics: {
    tracerOverheadPct: overheadPct.wall,
    tracerCpuOverheadPct: overheadPct.cpu,
    tracerStepOverheadPct: overheadPct.step,
    tracerSvgMs: Math.min(...times),
  },
};
process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(result)}\n`);
