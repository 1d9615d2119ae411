// Runner costs, measured (not asserted): (1) time from the end of a script to its SVG for
// a graph of about 1,000 nodes; (2) capture overhead on W1 and W3, the same workload code
// run plainly and under `gradlens run`. Usage: npm run build && node bench/runner-capture.mjs [--quick]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'gradlens.cjs');
const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-bench-'));
const quick = process.argv.includes('--quick');

// (1) ~1,000 nodes: 330 chained op triples on a vector, then sum.
const graphScript = path.join(dir, 'thousand.ts');
writeFileSync(
  graphScript,
  `import * as torch from 'gradlens';
const x = torch.randn(8, { requiresGrad: true });
let h = x;
for (let i = 0; i < 330; i++) h = h.mul(1.01).tanh().add(x);
h.sum().backward();
console.log('END ' + (performance.timeOrigin + performance.now()));
`,
);
const svg = path.join(dir, 'thousand.svg');
const times = [];
for (let i = 0; i < (quick ? 1 : 3); i++) {
  const r = spawnSync(
    process.execPath,
    [CLI, 'run', graphScript, '--graph', svg, '--max-nodes', '5000'],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(r.stderr);
  const end = Number(/END (\S+)/.exec(r.stdout)[1]);
  times.push(statSync(svg).mtimeMs - end);
  if (i === 0) console.log(r.stderr.trim());
}
console.log(
  `script end -> SVG, ~1,000-node graph: best ${Math.min(...times).toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')}; goal <= 1000 ms)`,
);

// (2) W1 and W3 with and without the runner.
const driver = path.join(dir, 'workloads.mjs');
writeFileSync(
  driver,
  `import { workloads } from ${JSON.stringify(path.join(ROOT, 'bench', 'peers', 'gradlens.mjs'))};
import { paramsFor } from ${JSON.stringify(path.join(ROOT, 'bench', 'config.mjs'))};
const out = {};
for (const w of ['W1', 'W3']) out[w] = workloads[w](paramsFor('gradlens', w, ${quick}));
console.log('RESULT ' + JSON.stringify(out));
`,
);
function measure(args) {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(/RESULT (.*)/.exec(r.stdout)[1]);
}
const plain = [];
const runner = [];
for (let i = 0; i < (quick ? 1 : 3); i++) {
  plain.push(measure([driver]));
  runner.push(measure([CLI, 'run', driver, '--monitor', path.join(dir, 'm.json')]));
}
const best = (rs, w, key, higher) => (higher ? Math.max : Math.min)(...rs.map((r) => r[w][key]));
const w1p = best(plain, 'W1', 'stepsPerSec', true);
const w1r = best(runner, 'W1', 'stepsPerSec', true);
const w3p = best(plain, 'W3', 'ms', false);
const w3r = best(runner, 'W3', 'ms', false);
console.log(
  `W1 steps/s: plain ${w1p.toFixed(1)}, under runner ${w1r.toFixed(1)} -> overhead ${((w1p / w1r - 1) * 100).toFixed(1)}% (goal <= 5%)`,
);
console.log(
  `W3 ms: plain ${w3p.toFixed(1)}, under runner ${w3r.toFixed(1)} -> overhead ${((w3r / w3p - 1) * 100).toFixed(1)}% (goal <= 5%)`,
);
