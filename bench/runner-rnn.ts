// The run part of the RNN's first graph (measured, not asserted): the 10,000-node
// examples/unrolled-rnn.ts launched as the extension launches it (no size limit in the runner,
// the view collapses), from launch to the snapshot's arrival in the host, with the snapshot's
// size as it crossed the pipe and the CPU seconds the runner child had used by then. Two ways:
// a child launched for the run (as the CLI does), and one started ahead that waited for it
// with the script bundled (as the extension's spare runner does; CPU counted from the start
// message). `--child PATH` (repeatable) compares builds' runner children, taken in turn round by
// round so that load on the machine falls on all of them alike.
// Usage: npm run build && node bench/runner-rnn.mjs (bundled by bench/run.mjs) [--quick]
//   [--child OTHER/dist/runner/child.cjs ...]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encodeFrame } from '../src/protocol/frames';
import { SpareRunner, launchRunner } from '../src/runner/launch';

const ROOT = process.cwd();
const script = path.join(ROOT, 'examples', 'unrolled-rnn.ts');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const given = argv.flatMap((a, i) => (argv[i - 1] === '--child' ? [path.resolve(a)] : []));
const children = given.length > 0 ? given : [path.join(ROOT, 'dist', 'runner', 'child.cjs')];
/** How long a runner started ahead waits before its run: a window's spare is ready seconds before the command. */
const AHEAD_WAIT_MS = 3000;

interface Sample {
  ms: number;
  bytes: number;
  /** The child's CPU seconds when the graph arrived (Linux: /proc), from its start or the start message. */
  cpu: number;
}

/** User and system CPU seconds of a process so far; NaN where /proc cannot say. */
function cpuSeconds(pid: number | null): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Launch (or the start message to a runner started ahead) to the graph's arrival. */
async function toGraph(childPath: string, ahead: boolean): Promise<Sample> {
  const bundleCache = mkdtempSync(path.join(tmpdir(), 'gradlens-bench-bundles-'));
  try {
    let spare: SpareRunner | undefined;
    let cpuBefore = 0;
    if (ahead) {
      spare = new SpareRunner({ script, childPath, bundleCache });
      await new Promise((resolve) => setTimeout(resolve, AHEAD_WAIT_MS));
    }
    const t0 = performance.now();
    const sample: Sample = { ms: NaN, bytes: 0, cpu: NaN };
    const r = launchRunner(
      { script, childPath, maxNodes: 50_000, spare, bundleCache },
      {
        onMessage: (m) => {
          if (m.type === 'hello') cpuBefore = ahead ? cpuSeconds(r.pid) : 0;
          if (m.type !== 'graph/snapshot') return;
          sample.ms = performance.now() - t0;
          sample.cpu = cpuSeconds(r.pid) - cpuBefore;
          sample.bytes = encodeFrame(m).length;
        },
      },
    );
    const result = await r.done;
    if (result.errors.length > 0) throw new Error(result.errors[0].message);
    return sample;
  } finally {
    rmSync(bundleCache, { recursive: true, force: true });
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const modes = [
  { name: 'launched for the run', ahead: false },
  { name: 'started ahead, script bundled', ahead: true },
];
const runs = modes.map(() => children.map(() => [] as Sample[]));
for (let round = 0; round < (quick ? 2 : 5); round++) {
  for (const [m, mode] of modes.entries())
    for (const [i, child] of children.entries()) runs[m][i].push(await toGraph(child, mode.ahead));
}
console.log('unrolled RNN, to the graph in the host (median; rounds sorted):');
for (const [m, mode] of modes.entries()) {
  console.log(`  ${mode.name}:`);
  for (const [i, child] of children.entries()) {
    const s = runs[m][i];
    const ms = s.map((x) => x.ms).sort((a, b) => a - b);
    console.log(
      `    ${path.relative(ROOT, child)}: ${median(ms).toFixed(0)} ms ` +
        `(${ms.map((t) => t.toFixed(0)).join(', ')}); child CPU ${median(s.map((x) => x.cpu)).toFixed(2)} s; ` +
        `snapshot ${(s[0].bytes / 1e6).toFixed(2)} MB`,
    );
  }
}
