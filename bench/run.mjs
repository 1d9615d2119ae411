// `npm run bench`: runs the workloads W1-W5 for Gradlens (default settings, one thread, and the
// TypeScript fallback), tfjs (cpu, wasm) and PyTorch, each peer and workload in its own child
// process, one after another, and prints one table with the targets of issues 2 and 6.
//
//   node --expose-gc bench/run.mjs [--quick] [--only W1,W3] [--peers gradlens,torch] [--json FILE]
//
// Without --only, the Python tracer's capture overhead and graph time (bench/python-capture.mjs)
// add their rows to the table, in the PyTorch column. Other benches named bench/{graph,runner}-*.{mjs,ts} (graph layout and paint, runner capture
// overhead) run after the table when no --only is given, each in its own process, and their
// output is appended.
//
// A peer that is missing or fails is shown as skipped/error; it never stops the others.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  childEnv,
  METRICS,
  overrideNote,
  paramsFor,
  PEERS,
  RESULT_MARK,
  RUNNER_NODE_FLAGS,
  TARGETS,
  TRACER,
  WORKLOADS,
} from './config.mjs';
import { checkTarget, fmt, renderTable } from './table.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
// PyTorch's golden interpreter; GRADLENS_BENCH_PYTHON points elsewhere (the tests use it to
// check that a missing peer is skipped).
const PYTHON = process.env.GRADLENS_BENCH_PYTHON || '/usr/bin/python3';

function parseArgs(argv) {
  const opts = {
    quick: false,
    only: WORKLOADS,
    onlyGiven: false,
    peers: PEERS.map((p) => p.id),
    json: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--quick') opts.quick = true;
    else if (flag === '--only') {
      opts.only = list(value(), WORKLOADS, '--only');
      opts.onlyGiven = true;
    } else if (flag === '--peers')
      opts.peers = list(
        value(),
        PEERS.map((p) => p.id),
        '--peers',
      );
    else if (flag === '--json') opts.json = value();
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(
        `usage: node --expose-gc bench/run.mjs [--quick] [--only ${WORKLOADS.join(',')}] [--peers ${PEERS.map((p) => p.id).join(',')}] [--json FILE]\n`,
      );
      process.exit(0);
    } else throw new Error(`unknown option ${argv[i]} (try --help)`);
  }
  return opts;
}

function list(s, allowed, flag) {
  const items = String(s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const bad = items.filter((x) => !allowed.includes(x));
  if (items.length === 0 || bad.length > 0)
    throw new Error(`${flag} takes a comma-separated list of ${allowed.join(', ')} (got ${s})`);
  return allowed.filter((x) => items.includes(x));
}

/** Runs one child to completion with environment `env`; resolves to its parsed result, never rejects. */
function runChild(command, args, env, timeoutMs) {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let timedOut = false;
    let child;
    try {
      child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ ok: false, skipped: true, error: `cannot start ${command}: ${e.message}` });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({
        ok: false,
        skipped: e.code === 'ENOENT',
        error: `cannot start ${command}: ${e.message}`,
      });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out
        .split('\n')
        .reverse()
        .find((l) => l.startsWith(RESULT_MARK));
      if (line !== undefined) {
        resolve(JSON.parse(line.slice(RESULT_MARK.length)));
      } else if (timedOut) {
        resolve({ ok: false, error: `timed out after ${timeoutMs / 1000} s` });
      } else {
        const tail = err.trim().split('\n').slice(-3).join(' | ');
        resolve({
          ok: false,
          error: `exited with ${signal ?? `code ${code}`} without a result${tail ? `: ${tail}` : ''}`,
        });
      }
    });
  });
}

/** Seconds the session waits between workloads, its event loop free, as between a notebook's cells. */
const BETWEEN_WORKLOADS_MS = 1000;

/**
 * The default Gradlens column's workloads again, one after another in one process (as a long
 * training script or a notebook session runs them): each one's figures there, and the
 * resident size at its start and end and its peak while it ran (peaks start again from the
 * present size at each workload).
 */
async function inOneProcess(workloads, quick, timeoutMs, fresh) {
  const peer = PEERS.find((p) => p.id === 'gradlens');
  const list = workloads.map((w) => [w, paramsFor(peer.id, w, quick)]);
  process.stderr.write(`bench: ${workloads.join(',')} gradlens in one process ... `);
  const t0 = Date.now();
  const r = await runChild(
    process.execPath,
    [
      '--expose-gc',
      ...RUNNER_NODE_FLAGS,
      join(here, 'child.mjs'),
      '--in-one-process',
      peer.id,
      JSON.stringify(list),
      String(BETWEEN_WORKLOADS_MS),
    ],
    childEnv(peer),
    timeoutMs * workloads.length,
  );
  process.stderr.write(
    `${r.ok ? 'done' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  const out = [
    '',
    `### ${peer.label}: the workloads one after another in one process`,
    '',
    `The same workloads in one process, in this order, ${BETWEEN_WORKLOADS_MS / 1000} s apart with the event loop free (as between a notebook's cells), with the Node flags the runner gives a script's process (${RUNNER_NODE_FLAGS.join(' ')}); resident size (RSS) at each one's start and end, and its own peak. The targets of the "${peer.label}" column, checked on these figures (against the other peers' figures in the table above).`,
    '',
  ];
  if (!r.ok) return [...out, `error: ${r.error}`];
  out.push(
    '| Workload | Figures | RSS at start | RSS at end | peak RSS while it ran | Targets |',
    '|---|---|---|---|---|---|',
  );
  for (const [w, params] of list) {
    const { metrics, rss } = r.results[w];
    const measured = METRICS.filter((m) => m.workload === w && metrics[m.key] !== undefined);
    const figures = measured
      .map((m) => `${m.label(params)}: ${fmt(metrics[m.key])} ${m.unit}`)
      .join('; ');
    const targets = measured
      .flatMap((m) => checkInOneProcess(m, metrics[m.key], fresh, peer.id))
      .join('; ');
    const mb = (x) => (x === null ? 'n/a' : `${x.toFixed(0)} MB`);
    out.push(
      `| ${w} | ${figures} | ${mb(rss.startMB)} | ${mb(rss.endMB)} | ${mb(rss.peakMB)} | ${targets} |`,
    );
  }
  return out;
}

/**
 * The targets of column `on` for metric `m`, with its figure from the one-process run in place
 * of the table's and the other peers' figures from the table (`fresh`).
 */
function checkInOneProcess(m, value, fresh, on) {
  const values = {};
  for (const p of PEERS) {
    const r = fresh.get(`${p.id}/${m.workload}`);
    if (r?.ok) values[p.id] = r.metrics[m.key];
  }
  values[on] = value;
  return TARGETS.filter((t) => t.metric === m.key && t.on === on).map(
    (t) => checkTarget(t, values).cell,
  );
}

/**
 * What W4 could reach on this machine (bench/simd-ceiling.mjs, under the runner's Node flags as
 * the Gradlens columns), measured right after the table's workloads, and W4's share of it.
 */
async function w4Ceiling(results) {
  process.stderr.write('bench: W4 ceiling (simd-ceiling.mjs) ... ');
  const r = await runRaw(
    process.execPath,
    [...RUNNER_NODE_FLAGS, join(here, 'simd-ceiling.mjs')],
    120_000,
  );
  process.stderr.write(`${r.ok ? 'done' : 'FAILED'}\n`);
  if (!r.ok) return ['', `W4's ceiling: error: ${r.error}`];
  const { relaxed, oneThread, twoThreads } = JSON.parse(r.stdout);
  const w4 = results.get('gradlens/W4');
  const share = (key) => `${((100 * w4.metrics[key]) / twoThreads).toFixed(0)} %`;
  return [
    '',
    `W4's ceiling on this machine (bench/simd-ceiling.mjs): 128-bit WebAssembly SIMD doing nothing but ` +
      `${relaxed ? 'fused multiply-adds (relaxed SIMD)' : 'multiplies and adds (no relaxed SIMD here)'} in 12 independent registers, ` +
      `no memory access: ${fmt(oneThread)} GFLOP/s on one thread, ${fmt(twoThreads)} on two. ` +
      (w4?.ok
        ? `W4 on "${label('gradlens')}" is ${share('fwdGflops')} of the two threads' figure forward and ${share('fwdBwdGflops')} forward+backward`
        : `W4 on "${label('gradlens')}" did not run`) +
      ` (issue 17 asks 90 GFLOP/s as 80 % of the 112 it measured on another machine).`,
  ];
}

/** The Python tracer's overhead and graph time (bench/python-capture.mjs), for the table. */
async function pythonTracer(quick) {
  process.stderr.write('bench: Python tracer (python-capture.mjs) ... ');
  const t0 = Date.now();
  const r = existsSync(PYTHON)
    ? await runChild(
        process.execPath,
        [join(here, 'python-capture.mjs'), '--python', PYTHON, ...(quick ? ['--quick'] : [])],
        process.env,
        quick ? 120_000 : 600_000,
      )
    : { ok: false, skipped: true, error: `${PYTHON} not found` };
  process.stderr.write(
    `${r.ok ? 'done' : r.skipped ? 'skipped' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  return r;
}

/** bench/{graph,runner}-*.{mjs,ts}, run after the table; .ts files are bundled with esbuild first. */
async function runExtras(quick) {
  const files = readdirSync(here)
    .filter((f) => /^(graph|runner)-.*\.(mjs|ts)$/.test(f))
    .sort();
  const out = [];
  for (const f of files) {
    let script = join(here, f);
    if (f.endsWith('.ts')) {
      const { build } = await import('esbuild');
      // Inside the repository, so that what stays external (Playwright) resolves from node_modules.
      const outfile = join(
        root,
        'node_modules',
        '.cache',
        'gradlens-bench',
        f.replace(/\.ts$/, '.mjs'),
      );
      await build({
        entryPoints: [script],
        outfile,
        bundle: true,
        format: 'esm',
        platform: 'node',
        logLevel: 'error',
        external: ['playwright-core'],
      });
      script = outfile;
    }
    process.stderr.write(`bench: ${f} ... `);
    const t0 = Date.now();
    const r = await runRaw(
      process.execPath,
      ['--expose-gc', script, ...(quick ? ['--quick'] : [])],
      quick ? 120_000 : 300_000,
    );
    process.stderr.write(
      `${r.ok ? 'done' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    if (!r.ok) process.stderr.write(`${r.error}\n`);
    out.push('', `### ${f}`, '', r.ok ? r.stdout.trim() : `error: ${r.error}`);
  }
  return out;
}

const STDERR_TAIL_LINES = 16;

/** Runs a program and keeps its stdout; resolves { ok, stdout, error }, never rejects. */
function runRaw(command, args, timeoutMs) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, stdout, error: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Enough lines for a row watchdog's diagnosis (bench/row-watchdog.ts) to come out whole.
      const tail = stderr.trim().split('\n').slice(-STDERR_TAIL_LINES).join('\n');
      resolve(
        code === 0
          ? { ok: true, stdout }
          : {
              ok: false,
              stdout,
              error: `exited with ${signal ?? `code ${code}`}${tail ? `:\n\n\`\`\`\n${tail}\n\`\`\`` : ''}`,
            },
      );
    });
  });
}

const label = (id) => PEERS.find((p) => p.id === id).label;

function machine() {
  let cpu = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1].trim();
  } catch {
    // Not Linux: os.cpus() is good enough.
  }
  return `${cpu}, ${cpus().length} cores, Node ${process.version}, ${process.platform}/${process.arch}`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  // Other work on the machine skews every column; the table reports how busy it was.
  const loadBefore = loadavg()[0];
  const timeoutMs = opts.quick ? 120_000 : 300_000;
  const results = new Map();
  const versions = new Map();
  // Workload by workload, every peer in turn: if the machine gets busier during the run, the
  // peers compared on one row were still measured close together in time.
  const missing = new Map();
  for (const w of opts.only) {
    for (const peer of PEERS.filter((p) => opts.peers.includes(p.id))) {
      const params = paramsFor(peer.id, w, opts.quick);
      const t0 = Date.now();
      process.stderr.write(`bench: ${w} ${peer.id} ... `);
      let r;
      if (missing.has(peer.id)) {
        // A peer whose runtime is missing is missing for every workload.
        r = { ...missing.get(peer.id) };
      } else if (peer.kind === 'python') {
        r = existsSync(PYTHON)
          ? await runChild(
              PYTHON,
              [join(here, 'peers', 'torch_peer.py'), w, JSON.stringify(params)],
              childEnv(peer),
              timeoutMs,
            )
          : { ok: false, skipped: true, error: `${PYTHON} not found` };
      } else {
        r = await runChild(
          process.execPath,
          [
            '--expose-gc',
            ...(peer.nodeFlags ?? []),
            join(here, 'child.mjs'),
            peer.id,
            w,
            JSON.stringify(params),
          ],
          childEnv(peer),
          timeoutMs,
        );
      }
      if (r.skipped) missing.set(peer.id, r);
      r.note = r.ok ? overrideNote(peer.id, w, opts.quick) : null;
      if (r.ok && r.version) versions.set(peer.id, r.version);
      results.set(`${peer.id}/${w}`, r);
      process.stderr.write(
        `${r.ok ? 'done' : r.skipped ? 'skipped' : 'FAILED'} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
      );
      if (!r.ok && !r.skipped) process.stderr.write(`${r.error}\n`);
    }
  }

  const rows = [...opts.only];
  if (!opts.onlyGiven && opts.peers.includes('torch')) {
    results.set(`torch/${TRACER}`, await pythonTracer(opts.quick));
    rows.push(TRACER);
  }

  const ceiling = opts.only.includes('W4') ? await w4Ceiling(results) : [];
  const tableSeconds = (Date.now() - started) / 1000;
  const session = opts.peers.includes('gradlens')
    ? await inOneProcess(opts.only, opts.quick, timeoutMs, results)
    : [];
  const extras = opts.onlyGiven ? [] : await runExtras(opts.quick);
  const { lines, targets } = renderTable(results, rows, opts.quick);
  const out = [
    `## Gradlens benchmark${opts.quick ? ' (--quick: reduced sizes, numbers not comparable to the full run)' : ''}`,
    '',
    `Machine: ${machine()}; 1-minute load average ${loadBefore.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end (the bench adds about 1; more means other work competed for the ${cpus().length} cores).`,
    `Peers: ${PEERS.map((p) => `${p.label} = ${versions.get(p.id) ?? 'not run'}`).join('; ')}.`,
    '',
    ...lines,
    '',
    `Targets met: ${targets.filter((t) => t.met === true).length} of ${targets.length}` +
      (targets.some((t) => t.met === null)
        ? ` (${targets.filter((t) => t.met === null).length} not checkable: peer missing)`
        : '') +
      `. Targets are issue 6's bounds (W4 checked on the "${label('gradlens-1thread')}" column, the rest on "${label('gradlens')}")` +
      `, issue 2's relative targets (on "${label('gradlens')}") and issue 17's (W1 >= "${label('torch-2threads')}" on "${label('gradlens')}", >= 0.8x "${label('torch')}" on "${label('gradlens-1thread')}"; W2 <= 35 µs; W4 >= 90 GFLOP/s on "${label('gradlens')}"; the Python tracer's on "${label('torch')}"). Table ${tableSeconds.toFixed(0)} s, whole bench ${((Date.now() - started) / 1000).toFixed(0)} s.`,
    ...ceiling,
    ...session,
    ...extras,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  if (opts.json !== null) {
    writeFileSync(
      opts.json,
      JSON.stringify(
        {
          machine: machine(),
          quick: opts.quick,
          versions: Object.fromEntries(versions),
          results: Object.fromEntries(results),
          targets,
        },
        null,
        2,
      ),
    );
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.message}\n`);
  process.exit(2);
});
