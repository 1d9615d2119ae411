// Where W5's build time goes in a fresh process: the table's W5 chain (peers/gradlens.mjs, the
// same warm-up and collection) under Node's default heap, under the runner's Node flags (as
// the table's columns run it), and with the young generation at its full size from the
// start, each in its own process, alternated ROUNDS times. Beside the wall time it reports what a loaded machine does not
// inflate as much: the main thread's CPU time, the page faults and the collections inside the
// timed build, and what one page fault costs on this machine now. Run by hand, not part of
// `npm run bench`:
//   node bench/w5-fresh.mjs [--rounds N] [--engine DIR ...]
// Each --engine is a checkout whose dist/engine was built (default: this one), so an older
// commit's engine can be compared with this one on the same machine at the same time.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { paramsFor, RESULT_MARK, RUNNER_NODE_FLAGS } from './config.mjs';
import { collect, now } from './timing.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** The heap settings compared: a plain Node script, the table's columns (a script under the runner), a grown young generation. */
const HEAPS = [
  { label: 'Node defaults (a plain node script)', flags: [] },
  { label: "the runner's Node flags (the table)", flags: RUNNER_NODE_FLAGS },
  // Node 20's default maximum semi-space is 16 MB: nothing left to grow during the build.
  { label: 'young generation full-size from the start', flags: ['--min-semi-space-size=16'] },
];

/** Milliseconds the main thread has been on a CPU (Linux), or null. */
function mainThreadMs() {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8');
    return Number(stat.split(' ')[0]) / 1e6;
  } catch {
    return null;
  }
}

const minorFaults = () => process.resourceUsage().minorPageFault;
const spaceMB = (name) =>
  v8.getHeapSpaceStatistics().find((s) => s.space_name === name).space_size / 1048576;

/** The W5 chain of peers/gradlens.mjs, with what happened inside its timed build. */
async function childRun(engineDir) {
  const torch = await import(pathToFileURL(join(engineDir, 'dist/engine/index.mjs')).href);
  const p = paramsFor('gradlens', 'W5', false);
  const collections = [];
  const observer = new PerformanceObserver((list) => collections.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const chain = (ops) => {
    const x = torch.tensor(1.0, { requiresGrad: true });
    const start = { t: now(), cpu: mainThreadMs(), faults: minorFaults() };
    let y = x;
    for (let i = 0; i < ops; i++) y = i % 2 === 0 ? y.mul(0.9999) : y.add(1e-4);
    const end = { t: now(), cpu: mainThreadMs(), faults: minorFaults() };
    const youngMB = spaceMB('new_space');
    y.backward();
    return { start, end, youngMB };
  };
  chain(p.warmupOps);
  collect();
  const youngBeforeMB = spaceMB('new_space');
  const { start, end, youngMB } = chain(p.ops);
  await new Promise((r) => setTimeout(r, 0)); // the observer's entries arrive on the event loop
  observer.disconnect();
  const inBuild = collections.filter((e) => e.startTime >= start.t && e.startTime < end.t);
  const count = (kind) => inBuild.filter((e) => e.detail?.kind === kind).length;
  return {
    buildUsPerOp: ((end.t - start.t) * 1000) / p.ops,
    mainCpuUsPerOp: start.cpu === null ? null : ((end.cpu - start.cpu) * 1000) / p.ops,
    faults: end.faults - start.faults,
    scavenges: count(constants.NODE_PERFORMANCE_GC_MINOR),
    markCompacts: count(constants.NODE_PERFORMANCE_GC_MAJOR),
    gcMs: inBuild.reduce((s, e) => s + e.duration, 0),
    young: `${youngBeforeMB} -> ${youngMB} MB`,
  };
}

/** Microseconds of main-thread CPU per first touch of a fresh page, measured here now. */
function pageFaultCostUs() {
  const bytes = new Uint8Array(new ArrayBuffer(64 << 20));
  const f0 = minorFaults();
  const c0 = mainThreadMs();
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = 1;
  const faults = minorFaults() - f0;
  return c0 === null || faults === 0 ? null : ((mainThreadMs() - c0) * 1000) / faults;
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

function runChild(engineDir, heap) {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', ...heap.flags, fileURLToPath(import.meta.url), '--child', engineDir],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
  return JSON.parse(line.slice(RESULT_MARK.length));
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmt = (v, digits = 2) => (v === null ? 'n/a' : v.toFixed(digits));

function parseArgs(argv) {
  const opts = { rounds: 3, engines: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rounds') opts.rounds = Number(argv[++i]);
    else if (argv[i] === '--engine') opts.engines.push(resolve(argv[++i]));
    else throw new Error(`usage: node bench/w5-fresh.mjs [--rounds N] [--engine DIR ...]`);
  }
  if (opts.engines.length === 0) opts.engines.push(join(here, '..'));
  return opts;
}

async function main(opts) {
  const loadStart = loadAverage();
  const faultUs = pageFaultCostUs();
  const runs = new Map();
  for (let r = 0; r < opts.rounds; r++) {
    for (const engine of opts.engines) {
      for (const heap of HEAPS) {
        const key = `${engine}\t${heap.label}`;
        process.stderr.write(`w5-fresh: round ${r + 1}, ${heap.label}, ${engine}\n`);
        runs.set(key, [...(runs.get(key) ?? []), runChild(engine, heap)]);
      }
    }
  }
  console.log(
    `W5 build in fresh processes, ${opts.rounds} rounds alternated; 1-minute load average ${loadStart} at start, ${loadAverage()} at end; one page fault costs ${fmt(faultUs, 1)} µs of CPU here now.\n`,
  );
  console.log(
    '| Engine | Heap | build µs/op (median, best) | main-thread CPU µs/op | page faults | scavenges | mark-compacts | GC ms | young generation |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [key, rs] of runs) {
    const [engine, heap] = key.split('\t');
    const cpu = rs.map((x) => x.mainCpuUsPerOp).filter((v) => v !== null);
    const build = rs.map((x) => x.buildUsPerOp);
    console.log(
      `| ${engine} | ${heap} | ${fmt(median(build))}, ${fmt(Math.min(...build))} | ${cpu.length === 0 ? 'n/a' : fmt(median(cpu))} | ${median(rs.map((x) => x.faults))} | ${median(rs.map((x) => x.scavenges))} | ${median(rs.map((x) => x.markCompacts))} | ${fmt(median(rs.map((x) => x.gcMs)), 0)} | ${rs[0].young} |`,
    );
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  process.stdout.write(`${RESULT_MARK}${JSON.stringify(await childRun(args[1]))}\n`);
} else {
  await main(parseArgs(args));
}
