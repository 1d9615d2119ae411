// Worker threads that run parts of a large matmul on the SIMD module's shared memory, so a
// product uses every core while the engine's API stays synchronous: the calling thread hands
// out parts through a control block in shared memory, does its own part, and blocks on
// Atomics until the others are done. No message passing per product: a postMessage round trip
// costs more than a whole W1-sized product.
//
// Workers exist only where the host offers them without an import (Node's
// process.getBuiltinModule): the engine never imports a Node module, and elsewhere every
// product simply runs on the calling thread.
import { envVar, type SimdModule } from './module';

/**
 * Int32 slots of the task block at the module's controlBase. For each task the caller writes
 * the parts, COUNT, SCRATCH and FINISHED = 0, sets NEXT to the task's tag with index 0, then
 * bumps SEQ; every thread (the caller included) claims parts by compare-and-swap on NEXT until
 * the index reaches COUNT. A part goes to whoever gets to it first, so a worker the OS has not
 * scheduled yet costs nothing: the caller runs the parts itself. The tag (the low 23 bits of
 * SEQ) in NEXT's high bits stops a worker still finishing one task from claiming a part of
 * the next before it has seen that task's SEQ.
 */
const SEQ = 0; // bumped by the caller for each task
const NEXT = 1; // tag << 8 | the next part to claim
const COUNT = 2; // parts in this task
const FINISHED = 3; // parts done
const SCRATCH = 4; // packing scratch of thread t: SCRATCH + t·SCRATCH_STEP (bytes)
const SCRATCH_STEP = 5;
const READY = 8; // READY + w is 1 once worker w has instantiated the module
const RAN = 24; // RAN + w counts the parts worker w has run
const PARTS = 48; // part i's 12 gemm arguments (all but scratch) at PARTS + 12·i
const PART_SLOTS = 12;
/** Parts per task, as NEXT's low 8 bits can count. */
const MAX_PARTS = 16;
const BLOCK_SLOTS = PARTS + MAX_PARTS * PART_SLOTS;

const tagOf = (seq: number): number => seq & 0x7fffff;

/** Claims the next part of the task tagged `tag`; -1 when there is none left (or a newer task began). */
function claim(s: Int32Array, tag: number, count: number): number {
  for (;;) {
    const v = Atomics.load(s, NEXT);
    if (v >>> 8 !== tag || (v & 255) >= count) return -1;
    if (Atomics.compareExchange(s, NEXT, v, v + 1) === v) return v & 255;
  }
}

/**
 * The worker's whole program (CommonJS, run with `eval`): instantiate the module on the shared
 * memory, then claim and run parts of each task (with the same claim as above). It spins
 * briefly before sleeping because products come in bursts (a forward's, then a backward's)
 * and waking from Atomics.wait costs tens of µs.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, thread } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const s = new Int32Array(memory.buffer, control, ${BLOCK_SLOTS});
function claim(tag, count) {
  for (;;) {
    const v = Atomics.load(s, ${NEXT});
    if (v >>> 8 !== tag || (v & 255) >= count) return -1;
    if (Atomics.compareExchange(s, ${NEXT}, v, v + 1) === v) return v & 255;
  }
}
let seen = Atomics.load(s, ${SEQ});
Atomics.store(s, ${READY} + thread - 1, 1);
for (;;) {
  for (let spin = 0; spin < 20000 && Atomics.load(s, ${SEQ}) === seen; spin++);
  Atomics.wait(s, ${SEQ}, seen);
  seen = Atomics.load(s, ${SEQ});
  const tag = seen & 0x7fffff;
  const count = Atomics.load(s, ${COUNT});
  const scratch = Atomics.load(s, ${SCRATCH}) + thread * Atomics.load(s, ${SCRATCH_STEP});
  for (let i = claim(tag, count); i >= 0; i = claim(tag, count)) {
    const p = ${PARTS} + i * ${PART_SLOTS};
    try {
      k.gemm(s[p], s[p + 1], s[p + 2], s[p + 3], s[p + 4], s[p + 5], s[p + 6], s[p + 7], s[p + 8], s[p + 9], s[p + 10], s[p + 11], scratch);
    } finally {
      Atomics.add(s, ${RAN} + thread - 1, 1);
      Atomics.add(s, ${FINISHED}, 1);
      Atomics.notify(s, ${FINISHED});
    }
  }
}
`;

interface NodeHost {
  getBuiltinModule?(id: string): unknown;
}
interface WorkerThreads {
  Worker: new (
    source: string,
    options: { eval: true; workerData: unknown },
  ) => {
    unref(): void;
    terminate(): unknown;
    on(event: 'error' | 'exit', f: () => void): void;
  };
}

/** Maximum threads (the caller included); 1 means no workers. */
const MAX_THREADS = MAX_PARTS;

/**
 * How many threads (the calling one included) large products use: `GRADLENS_THREADS` when it
 * is set, else the machine's cores, at most 4 (past that the copies in and out dominate).
 */
export function threadCount(): number {
  const v = envVar('GRADLENS_THREADS');
  if (v !== undefined && v !== '') {
    const n = Number(v);
    if (Number.isInteger(n) && n >= 1) return Math.min(n, MAX_THREADS);
  }
  return Math.min(cores(), 4);
}

function cores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  if (nav?.hardwareConcurrency) return nav.hardwareConcurrency;
  const os = nodeModule('node:os');
  return os === null ? 1 : (os.availableParallelism?.() ?? os.cpus().length);
}

/** The parts of Node's built-in modules the pool uses. */
interface NodeModules {
  'node:os': { availableParallelism?(): number; cpus(): unknown[] };
  'node:worker_threads': WorkerThreads;
}

function nodeModule<K extends keyof NodeModules>(id: K): NodeModules[K] | null {
  const host = (globalThis as { process?: NodeHost }).process;
  try {
    return (host?.getBuiltinModule?.(id) as NodeModules[K] | undefined) ?? null;
  } catch {
    return null;
  }
}

interface Pool {
  /** The module whose memory the workers share. */
  mod: SimdModule;
  /** The task block (see SEQ and the slots after it). */
  block: Int32Array;
  workers: number;
  stop(): void;
}

/** `undefined`: not started; `null`: no workers here. */
let pool: Pool | null | undefined;

/**
 * The worker pool for `mod`, started on first call. Workers boot in the background; until one
 * reports ready, it is not counted, and the caller runs every part anyway.
 */
function poolFor(mod: SimdModule): Pool | null {
  if (pool !== undefined && (pool === null || pool.mod === mod)) return pool;
  pool?.stop();
  pool = null;
  const workers = threadCount() - 1;
  if (!mod.shared || workers < 1) return null;
  const threads = nodeModule('node:worker_threads');
  if (threads === null) return null;
  const block = new Int32Array(mod.memory.buffer, mod.controlBase, BLOCK_SLOTS);
  block.fill(0);
  const started: { terminate(): unknown }[] = [];
  try {
    for (let w = 0; w < workers; w++) {
      const worker = new threads.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module: mod.module,
          memory: mod.memory,
          control: mod.controlBase,
          thread: w + 1,
        },
      });
      // A worker that fails stops counting as ready; parts it would have run, the caller runs.
      worker.on('error', () => Atomics.store(block, READY + w, 0));
      worker.unref(); // an idle worker must not keep the process alive.
      started.push(worker);
    }
  } catch {
    // A host that forbids workers: the ones started (if any) serve.
  }
  pool =
    started.length === 0
      ? null
      : {
          mod,
          block,
          workers: started.length,
          stop: () => {
            for (const w of started) void w.terminate();
          },
        };
  return pool;
}

/**
 * Ends the workers sharing `mod`'s memory (they hold it), so that it can be freed; products
 * on a later module start a new pool. Called between products only.
 */
export function stopPool(mod: SimdModule): void {
  if (pool === undefined || pool === null || pool.mod !== mod) return;
  pool.stop();
  pool = undefined;
}

/** Whether worker threads are running (or starting) for `mod`; never starts them. */
export function poolRunning(mod: SimdModule): boolean {
  return pool !== undefined && pool !== null && pool.mod === mod;
}

/** Arguments of one gemm call but its scratch: m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, overwrite. */
export type GemmPart = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** How many parts each worker has run so far (internal: tests and diagnostics). */
export function workerParts(mod: SimdModule): number[] {
  const p = poolFor(mod);
  return p === null
    ? []
    : Array.from({ length: p.workers }, (_, w) => Atomics.load(p.block, RAN + w));
}

/** Threads that may run parts of a product, ready or not, the calling one included. */
export function poolThreads(mod: SimdModule): number {
  return (poolFor(mod)?.workers ?? 0) + 1;
}

/**
 * How many threads are ready for a product now, the calling one included (starting the pool
 * on first call).
 */
export function readyThreads(mod: SimdModule): number {
  const p = poolFor(mod);
  if (p === null) return 1;
  let n = 1;
  for (let w = 0; w < p.workers; w++) if (Atomics.load(p.block, READY + w) === 1) n++;
  return n;
}

/**
 * Runs the parts on the calling thread and whichever workers claim some, returning when all
 * are done. Thread t packs in scratch + t·scratchStep, so there must be room for
 * poolThreads(mod) scratch areas.
 */
export function runParts(
  mod: SimdModule,
  parts: GemmPart[],
  scratch: number,
  scratchStep: number,
): void {
  const p = poolFor(mod);
  if (p === null || parts.length > MAX_PARTS) {
    for (const part of parts) mod.exports.gemm(...part, scratch);
    return;
  }
  const s = p.block;
  for (let i = 0; i < parts.length; i++) s.set(parts[i], PARTS + i * PART_SLOTS);
  Atomics.store(s, COUNT, parts.length);
  Atomics.store(s, SCRATCH, scratch);
  Atomics.store(s, SCRATCH_STEP, scratchStep);
  Atomics.store(s, FINISHED, 0);
  const seq = (Atomics.load(s, SEQ) + 1) | 0;
  const tag = tagOf(seq);
  Atomics.store(s, NEXT, tag << 8);
  Atomics.store(s, SEQ, seq);
  Atomics.notify(s, SEQ);
  for (let i = claim(s, tag, parts.length); i >= 0; i = claim(s, tag, parts.length)) {
    mod.exports.gemm(...parts[i], scratch);
    Atomics.add(s, FINISHED, 1);
  }
  for (let spin = 0; spin < 20000 && Atomics.load(s, FINISHED) < parts.length; spin++);
  for (
    let done = Atomics.load(s, FINISHED);
    done < parts.length;
    done = Atomics.load(s, FINISHED)
  ) {
    Atomics.wait(s, FINISHED, done);
  }
}
