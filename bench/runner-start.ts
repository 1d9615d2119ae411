// The run part of a first graph (measured, not asserted): from "run this script" to its graph
// arriving in the host, for the seed's Q/P script (examples/retain-grad.ts), four ways, taken
// in turn round by round so that load on the machine falls on all of them alike:
//   cold       a runner child started for the run (Node, the runner, the engine, esbuild)
//   spare      a runner started ahead, as the extension does once a script is in sight
//   spare+hit  the same with the bundle of the unchanged script kept from an earlier run
//   prepared   a spare told the script ahead (as the extension does): it bundled it while waiting
//   (cold with a hit needs no row: esbuild starts with the child either way)
// Usage: npm run build && node bench/runner-start.mjs (bundled by bench/run.mjs) [--quick]
import { copyFileSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpareRunner, launchRunner } from '../src/runner/launch';
import { startRowWatchdog } from './row-watchdog';

const ROOT = process.cwd();
const childPath = path.join(ROOT, 'dist', 'runner', 'child.cjs');
const quick = process.argv.includes('--quick');
const dir = mkdtempSync(path.join(os.tmpdir(), 'gradlens-bench-start-'));
const script = path.join(dir, 'retain-grad.ts');
copyFileSync(path.join(ROOT, 'examples', 'retain-grad.ts'), script);
// Saved a while ago, as a script opened in a new window is: its bundle may be kept.
const past = new Date(Date.now() - 60_000);
utimesSync(script, past, past);
const keep = setInterval(() => undefined, 1000); // spares are unref'd: keep the process up
// A row takes a second or two even on a busy machine; one that hangs is named, with what the
// runner's processes were doing, and ends this bench instead of holding up the others.
const watchdog = startRowWatchdog('runner-start', 60_000);

/** Milliseconds from launch to the graph's arrival. */
async function toGraph(row: string, spare?: SpareRunner, bundleCache?: string): Promise<number> {
  const where =
    spare === undefined ? 'a runner started for it' : `spare runner ${String(spare.pid)}`;
  watchdog.enter(`${row}: run to graph in ${where}`);
  const t0 = performance.now();
  let at = NaN;
  const r = await launchRunner(
    { script, childPath, spare, bundleCache },
    { onMessage: (m) => (m.type === 'graph/snapshot' ? (at = performance.now()) : undefined) },
  ).done;
  if (r.errors.length > 0) throw new Error(r.errors[0].message);
  return at - t0;
}

async function readySpare(row: string, bundleCache?: string): Promise<SpareRunner> {
  const s = new SpareRunner({ script, childPath, bundleCache });
  const what = bundleCache === undefined ? '' : ' and bundling the script';
  watchdog.enter(`${row}: spare runner ${String(s.pid)} starting${what}`);
  if (!(await s.ready)) throw new Error('the spare runner did not start');
  // Let its esbuild service finish starting, as it has by the time a user runs a command.
  await new Promise((r) => setTimeout(r, 300));
  return s;
}

const rows: Record<string, number[]> = { cold: [], spare: [], 'spare+hit': [], prepared: [] };
const hitCache = path.join(dir, 'kept');
await toGraph('filling the kept bundles', undefined, hitCache); // for the hit rows
for (let round = 0; round < (quick ? 2 : 7); round++) {
  const row = (name: string): string => `${name}, round ${round + 1}`;
  rows.cold.push(await toGraph(row('cold')));
  const missCache = path.join(dir, `miss-${round}`);
  rows.spare.push(await toGraph(row('spare'), await readySpare(row('spare')), missCache));
  rows['spare+hit'].push(
    await toGraph(row('spare+hit'), await readySpare(row('spare+hit')), hitCache),
  );
  const preparedCache = path.join(dir, `prepared-${round}`);
  rows.prepared.push(
    await toGraph(row('prepared'), await readySpare(row('prepared'), preparedCache), preparedCache),
  );
}
watchdog.stop();
clearInterval(keep);
rmSync(dir, { recursive: true, force: true });

const sorted = (a: number[]): number[] => [...a].sort((x, y) => x - y);
const median = (a: number[]): number => sorted(a)[a.length >> 1];
console.log('run to graph in the host, seed Q/P script (median, min-max of rounds):');
for (const [name, ms] of Object.entries(rows)) {
  const s = sorted(ms);
  console.log(
    `  ${name.padEnd(10)} ${median(ms).toFixed(0)} ms (${s[0].toFixed(0)}-${s[s.length - 1].toFixed(0)}, ${ms.length} runs)`,
  );
}
