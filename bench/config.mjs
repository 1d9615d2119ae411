// What the benchmark runs: the workloads W1-W6 (issues 2 and 19), how much work each peer does for
// each, and the targets Gradlens is held to (issues 2 and 6). Every peer (Node and Python)
// receives its slice of this as JSON, so the amounts of work are declared once.

/**
 * The heap settings the runner gives the Node process of a script (RUNNER_HEAP_FLAGS in
 * src/runner/child-process.ts; a test keeps the two equal): a young generation of at most
 * 2x4 MB instead of Node's 2x16 MB.
 */
export const RUNNER_HEAP_FLAGS = ['--max-semi-space-size=4'];

/**
 * Every Node flag the runner starts a script's process with (nodeCommand in
 * src/runner/child-process.ts, without a memory limit; a test keeps the two equal). The
 * Gradlens columns and the one-process run stand for a script run under Gradlens (the
 * extension, `gradlens run`), so their processes get exactly these.
 */
export const RUNNER_NODE_FLAGS = [
  '--enable-source-maps',
  '--stack-size=4000',
  ...RUNNER_HEAP_FLAGS,
  ...relaxedSimdFlags(),
];

/** `relaxedSimdFlags` of src/runner/child-process.ts, for the Node that runs the bench (kept equal). */
function relaxedSimdFlags() {
  const [major, minor] = process.versions.v8.split('.').map(Number);
  return major === 11 && minor < 4 ? ['--experimental-wasm-relaxed-simd'] : [];
}

/**
 * The peers, in table order. `kind` says which child program runs them, `impl` which
 * implementation of the workloads that child loads, `env` the engine settings the child
 * process gets (the three Gradlens columns run the same code under different settings) and
 * `nodeFlags` its Node flags besides --expose-gc.
 */
export const PEERS = [
  // The engine's defaults: WebAssembly SIMD, and worker threads for large matmuls as the engine decides.
  {
    id: 'gradlens',
    label: 'Gradlens',
    kind: 'node',
    impl: 'gradlens',
    env: {},
    nodeFlags: RUNNER_NODE_FLAGS,
  },
  {
    id: 'gradlens-1thread',
    label: 'Gradlens 1 thread',
    kind: 'node',
    impl: 'gradlens',
    env: { GRADLENS_THREADS: '1' },
    nodeFlags: RUNNER_NODE_FLAGS,
  },
  {
    id: 'gradlens-ts',
    label: 'Gradlens TS fallback',
    kind: 'node',
    impl: 'gradlens',
    env: { GRADLENS_NO_WASM: '1', GRADLENS_THREADS: '1' },
    nodeFlags: RUNNER_NODE_FLAGS,
  },
  { id: 'tfjs-cpu', label: 'tfjs-cpu', kind: 'node', impl: 'tfjs-cpu', env: {} },
  { id: 'tfjs-wasm', label: 'tfjs-wasm', kind: 'node', impl: 'tfjs-wasm', env: {} },
  // PyTorch on one thread, and on both cores: its OpenBLAS is held to the same count.
  {
    id: 'torch',
    label: 'PyTorch (1 thread)',
    kind: 'python',
    impl: 'torch',
    env: { GRADLENS_BENCH_TORCH_THREADS: '1' },
  },
  {
    id: 'torch-2threads',
    label: 'PyTorch (2 threads)',
    kind: 'python',
    impl: 'torch',
    env: { GRADLENS_BENCH_TORCH_THREADS: '2' },
  },
];

/**
 * The settings any column sets (the engine's, and the PyTorch peer's thread count). A child's
 * environment never inherits these from the shell that started the bench: `GRADLENS_NO_WASM=1
 * npm run bench` must not quietly turn the default column into a second fallback column.
 */
export const ENGINE_ENV = [...new Set(PEERS.flatMap((p) => Object.keys(p.env)))].sort();

/** The environment of one peer's child process: ours minus ENGINE_ENV, plus the peer's settings. */
export function childEnv(peer, base = process.env) {
  const inherited = Object.entries(base).filter(([k]) => !ENGINE_ENV.includes(k));
  return { ...Object.fromEntries(inherited), ...peer.env };
}

/**
 * One row per metric. `label` is given the workload's parameters (quick mode shrinks them);
 * `better` says which direction wins.
 */
export const METRICS = [
  {
    workload: 'W1',
    key: 'stepsPerSec',
    label: (p) => `W1 MLP 784-256-10 train step, batch ${p.batch}`,
    unit: 'steps/s',
    better: 'higher',
  },
  {
    workload: 'W2',
    key: 'usPerIter',
    label: (p) => `W2 polynomial fit, ${p.points} points, ${p.iters} iterations`,
    unit: 'µs/iteration',
    better: 'lower',
  },
  {
    workload: 'W3',
    key: 'ms',
    label: (p) => `W3 1-10-10-1 MLP, Adam, ${p.iters} iterations`,
    unit: 'ms',
    better: 'lower',
  },
  {
    workload: 'W4',
    key: 'fwdGflops',
    label: (p) => `W4 ${p.n}x${p.n} matmul forward`,
    unit: 'GFLOP/s',
    better: 'higher',
  },
  {
    workload: 'W4',
    key: 'fwdBwdGflops',
    label: (p) => `W4 ${p.n}x${p.n} matmul forward+backward`,
    unit: 'GFLOP/s',
    better: 'higher',
  },
  {
    workload: 'W5',
    key: 'buildUsPerOp',
    label: (p) => `W5 ${p.ops.toLocaleString('en-US')}-op chain: build`,
    unit: 'µs/op',
    better: 'lower',
  },
  {
    workload: 'W5',
    key: 'backwardUsPerOp',
    label: (p) => `W5 ${p.ops.toLocaleString('en-US')}-op chain: backward`,
    unit: 'µs/op',
    better: 'lower',
  },
  {
    workload: 'W5',
    key: 'peakRssMB',
    label: (p) => `W5 ${p.ops.toLocaleString('en-US')}-op chain: peak RSS`,
    unit: 'MB',
    better: 'lower',
  },
  {
    workload: 'W6',
    key: 'cnnStepsPerSec',
    label: (p) => `W6 LeNet-style CNN train step on 28x28, batch ${p.batch}`,
    unit: 'steps/s',
    better: 'higher',
  },
];

export const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6'];

/**
 * The Python tracer's rows (bench/python-capture.mjs, run after the workloads when no --only
 * is given): PyTorch's own loop and script run plain and under `gradlens run`, so the figures
 * stand in the PyTorch column and the other columns stay empty (`peer`).
 */
export const TRACER = 'PT';
METRICS.push(
  {
    workload: TRACER,
    peer: 'torch',
    key: 'tracerOverheadPct',
    label: () =>
      'Python tracer: capture overhead, 1-10-10-1 Adam, 1,000 iterations (wall time, medians)',
    unit: '%',
    better: 'lower',
  },
  {
    workload: TRACER,
    peer: 'torch',
    key: 'tracerStepOverheadPct',
    label: () =>
      'Python tracer: the same per step, plain and traced blocks of steps interleaved in one process (medians of block means)',
    unit: '%',
    better: 'lower',
  },
  {
    workload: TRACER,
    peer: 'torch',
    key: 'tracerSvgMs',
    label: () => 'Python tracer: PyTorch script end -> SVG, ~1,000-node graph',
    unit: 'ms',
    better: 'lower',
  },
);

/**
 * Amounts of work. `warmup` runs first and is not timed; then `runs` (or the `Reps`) timed
 * repetitions of a fixed amount of work, of which the fastest is reported: other load on the
 * machine only ever makes a repetition slower, so the minimum is the least disturbed. Every
 * peer does the same work unless an override below says otherwise (and the table says so).
 */
const FULL = {
  W1: { batch: 64, warmup: 20, runs: 4, steps: 50, dropout: 0.2, lr: 1e-3 },
  W2: { points: 100, warmup: 500, runs: 3, iters: 4000, lr: 1e-5 },
  W3: { points: 100, warmup: 1, runs: 3, iters: 1000, lr: 1e-2 },
  W4: { n: 1024, warmupN: 256, fwdReps: 5, fwdBwdReps: 3 },
  W5: { ops: 200_000, warmupOps: 20_000 },
  W6: { batch: 64, warmup: 2, runs: 3, steps: 5, lr: 0.01 },
};

const QUICK = {
  W1: { batch: 64, warmup: 2, runs: 1, steps: 5, dropout: 0.2, lr: 1e-3 },
  W2: { points: 100, warmup: 20, runs: 1, iters: 200, lr: 1e-5 },
  W3: { points: 100, warmup: 1, runs: 1, iters: 100, lr: 1e-2 },
  W4: { n: 128, warmupN: 32, fwdReps: 2, fwdBwdReps: 1 },
  W5: { ops: 2_000, warmupOps: 200 },
  W6: { batch: 8, warmup: 1, runs: 1, steps: 1, lr: 0.01 },
};

/**
 * Where a peer is too slow (or too memory-hungry) to do the full amount within the bench's
 * time budget, it does less; the per-unit metric stays comparable and the table footnotes it.
 */
const OVERRIDES = {
  'tfjs-cpu': {
    W1: { warmup: 3, runs: 2, steps: 10 },
    W4: { fwdReps: 1, fwdBwdReps: 1 },
    W6: { warmup: 1, runs: 1, steps: 1 },
  },
  'tfjs-wasm': {
    W1: { warmup: 5, runs: 3, steps: 20 },
  },
};

/** The parameters one peer uses for one workload. */
export function paramsFor(peerId, workload, quick) {
  const base = (quick ? QUICK : FULL)[workload];
  const over = quick ? {} : (OVERRIDES[peerId]?.[workload] ?? {});
  return { ...base, ...over, quick };
}

/** Describes an override so the table can footnote it. */
export function overrideNote(peerId, workload, quick) {
  if (quick) return null;
  const over = OVERRIDES[peerId]?.[workload];
  if (over === undefined) return null;
  const parts = Object.entries(over).map(([k, v]) => `${k} ${v} (default ${FULL[workload][k]})`);
  return `${peerId} ${workload}: ${parts.join(', ')}`;
}

/**
 * The bar Gradlens is held to: the absolute targets of issue 6, the relative ones of issue 2
 * still in force (issue 2's W5 bounds, 2 µs/op and 300 MB, are subsumed by issue 6's), and
 * issue 17's (W1 against PyTorch, W2 <= 35 µs, which subsumes issue 6's 40 µs). A metric may
 * have several; the table lists them in one cell in this order. `check` gets the row's values
 * by peer id and returns { met: boolean | null, detail }; null means a value it needs is
 * missing. `on` is the Gradlens column a target holds: "on 1 thread" the 1-thread column
 * (against PyTorch's 1-thread column where it compares), the rest the default one.
 */
export const TARGETS = [
  {
    metric: 'stepsPerSec',
    text: '>= 250 steps/s',
    on: 'gradlens',
    check: (v) => bound(v.gradlens, (g) => g >= 250),
  },
  {
    metric: 'stepsPerSec',
    text: '>= 3x tfjs-cpu',
    on: 'gradlens',
    check: (v) =>
      ratio(
        v.gradlens,
        v['tfjs-cpu'],
        (g, t) => g >= 3 * t,
        (g, t) => `${fmtRatio(g / t)} tfjs-cpu`,
      ),
  },
  {
    metric: 'stepsPerSec',
    text: '>= PyTorch (2 threads)',
    on: 'gradlens',
    check: (v) =>
      ratio(
        v.gradlens,
        v['torch-2threads'],
        (g, t) => g >= t,
        (g, t) => `${fmtRatio(g / t)}`,
      ),
  },
  {
    metric: 'stepsPerSec',
    text: '>= 0.8x PyTorch on 1 thread',
    on: 'gradlens-1thread',
    check: (v) =>
      ratio(
        v['gradlens-1thread'],
        v.torch,
        (g, t) => g >= 0.8 * t,
        (g, t) => `${fmtRatio(g / t)}`,
      ),
  },
  {
    metric: 'usPerIter',
    text: '<= 35 µs',
    on: 'gradlens',
    check: (v) => bound(v.gradlens, (g) => g <= 35),
  },
  {
    metric: 'usPerIter',
    text: 'faster than PyTorch',
    on: 'gradlens',
    check: (v) =>
      ratio(
        v.gradlens,
        v.torch,
        (g, t) => g < t,
        (g, t) => `${fmtRatio(t / g)} PyTorch's speed`,
      ),
  },
  {
    metric: 'ms',
    text: '<= 150 ms',
    on: 'gradlens',
    check: (v) => bound(v.gradlens, (g) => g <= 150),
  },
  {
    metric: 'ms',
    text: 'faster than PyTorch',
    on: 'gradlens',
    check: (v) =>
      ratio(
        v.gradlens,
        v.torch,
        (g, t) => g < t,
        (g, t) => `${fmtRatio(t / g)} PyTorch's speed`,
      ),
  },
  {
    metric: 'fwdGflops',
    text: '>= 40 GFLOP/s on 1 thread',
    on: 'gradlens-1thread',
    check: (v) => bound(v['gradlens-1thread'], (g) => g >= 40),
  },
  {
    metric: 'fwdBwdGflops',
    text: '>= 35 GFLOP/s on 1 thread',
    on: 'gradlens-1thread',
    check: (v) => bound(v['gradlens-1thread'], (g) => g >= 35),
  },
  {
    metric: 'fwdGflops',
    text: '>= 90 GFLOP/s on 2 threads',
    on: 'gradlens',
    check: (v) => bound(v.gradlens, (g) => g >= 90),
  },
  {
    metric: 'fwdBwdGflops',
    text: '>= 90 GFLOP/s on 2 threads',
    on: 'gradlens',
    check: (v) => bound(v.gradlens, (g) => g >= 90),
  },
  {
    metric: 'buildUsPerOp',
    text: '<= 1 µs/op',
    on: 'gradlens',
    check: (v) => bound(v.gradlens, (g) => g <= 1),
  },
  {
    metric: 'backwardUsPerOp',
    text: '<= 1 µs/op',
    on: 'gradlens',
    check: (v) => bound(v.gradlens, (g) => g <= 1),
  },
  {
    metric: 'peakRssMB',
    text: '<= 150 MB',
    on: 'gradlens',
    check: (v) => bound(v.gradlens, (g) => g <= 150),
  },
  {
    metric: 'tracerOverheadPct',
    text: '<= 10 %',
    on: 'torch',
    check: (v) => bound(v.torch, (g) => g <= 10),
  },
  {
    metric: 'tracerSvgMs',
    text: '<= 1000 ms',
    on: 'torch',
    check: (v) => bound(v.torch, (g) => g <= 1000),
  },
];

function ratio(g, t, ok, describe) {
  if (typeof g !== 'number' || typeof t !== 'number') return { met: null, detail: 'peer missing' };
  return { met: ok(g, t), detail: describe(g, t) };
}

function bound(g, ok) {
  if (typeof g !== 'number') return { met: null, detail: 'peer missing' };
  return { met: ok(g), detail: '' };
}

function fmtRatio(r) {
  return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}x`;
}

/** Prefix of the one stdout line that carries a child's JSON result (also in peers/torch_peer.py). */
export const RESULT_MARK = 'BENCH_RESULT ';
