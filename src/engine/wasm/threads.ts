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

/** Int32 slots of one worker's 64-byte control block. */
const SEQ = 0; // bumped by the caller for each task
const DONE = 1; // set by the worker to the SEQ it finished
const READY = 2; // 1 once the worker has instantiated the module
const ARGS = 4; // gemm's 12 arguments
const SLOTS = 16;

/**
 * The worker's whole program (CommonJS, run with `eval`): instantiate the module on the shared
 * memory, then run gemm for each task. It spins briefly before sleeping because products come
 * in bursts (a forward's, then a backward's) and waking from Atomics.wait costs tens of µs.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const s = new Int32Array(memory.buffer, control, ${SLOTS});
Atomics.store(s, ${READY}, 1);
let seen = Atomics.load(s, ${SEQ});
for (;;) {
  for (let spin = 0; spin < 20000 && Atomics.load(s, ${SEQ}) === seen; spin++);
  Atomics.wait(s, ${SEQ}, seen);
  seen = Atomics.load(s, ${SEQ});
  try {
    k.gemm(s[${ARGS}], s[${ARGS + 1}], s[${ARGS + 2}], s[${ARGS + 3}], s[${ARGS + 4}], s[${ARGS + 5}],
      s[${ARGS + 6}], s[${ARGS + 7}], s[${ARGS + 8}], s[${ARGS + 9}], s[${ARGS + 10}], s[${ARGS + 11}]);
  } finally {
    Atomics.store(s, ${DONE}, seen);
    Atomics.notify(s, ${DONE});
  }
}
`;

interface NodeHost {
  getBuiltinModule?(id: string): unknown;
}
interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => { unref(): void; on(event: 'error' | 'exit', f: () => void): void };
}

/** Maximum threads (the caller included) a product is split over; 1 means no workers. */
const MAX_THREADS = 16;

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
  const os = nodeModule<{ availableParallelism?(): number; cpus(): unknown[] }>('node:os');
  return os === null ? 1 : (os.availableParallelism?.() ?? os.cpus().length);
}

function nodeModule<T>(id: string): T | null {
  const host = (globalThis as { process?: NodeHost }).process;
  try {
    return (host?.getBuiltinModule?.(id) as T | undefined) ?? null;
  } catch {
    return null;
  }
}

interface Pool {
  /** One control block per worker. */
  blocks: Int32Array[];
}

/** `undefined`: not started; `null`: no workers here. */
let pool: Pool | null | undefined;

/**
 * The worker pool for `mod`, started on first call. Workers boot in the background; until one
 * reports ready, products simply do not give it a part.
 */
function poolFor(mod: SimdModule): Pool | null {
  if (pool !== undefined) return pool;
  pool = null;
  const workers = threadCount() - 1;
  if (!mod.shared || workers < 1) return null;
  const threads = nodeModule<WorkerThreads>('node:worker_threads');
  if (threads === null) return null;
  const blocks: Int32Array[] = [];
  try {
    for (let i = 0; i < workers; i++) {
      const control = mod.controlBase + i * SLOTS * 4;
      const block = new Int32Array(mod.memory.buffer, control, SLOTS);
      block.fill(0);
      const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: { module: mod.module, memory: mod.memory, control } });
      // A worker that fails never reports ready and so is never given a part.
      worker.on('error', () => Atomics.store(block, READY, 0));
      worker.unref(); // an idle worker must not keep the process alive.
      blocks.push(block);
    }
  } catch {
    // No workers (a host that forbids them): every product runs on the calling thread.
  }
  pool = { blocks };
  return pool;
}

/** Arguments of one gemm call: m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, scratch. */
export type GemmArgs = [number, number, number, number, number, number, number, number, number, number, number, number];

/**
 * How many threads are ready for a product now, the calling one included (starting the pool
 * on first call).
 */
export function readyThreads(mod: SimdModule): number {
  const p = poolFor(mod);
  if (p === null) return 1;
  let n = 1;
  for (const b of p.blocks) if (Atomics.load(b, READY) === 1) n++;
  return n;
}

/**
 * Runs `parts[0]` on the calling thread and the others on ready workers, returning when all
 * are done. `parts.length` must not exceed readyThreads(mod).
 */
export function runParts(mod: SimdModule, parts: GemmArgs[]): void {
  const p = poolFor(mod);
  const given: Array<{ block: Int32Array; seq: number }> = [];
  if (p !== null) {
    let next = 1;
    for (const block of p.blocks) {
      if (next >= parts.length) break;
      if (Atomics.load(block, READY) !== 1) continue;
      block.set(parts[next++], ARGS);
      const seq = (Atomics.load(block, SEQ) + 1) | 0;
      Atomics.store(block, SEQ, seq);
      Atomics.notify(block, SEQ);
      given.push({ block, seq });
    }
    if (next < parts.length) throw new Error(`runParts(): ${parts.length} parts but only ${next} threads ready`);
  }
  mod.exports.gemm(...parts[0]);
  for (const { block, seq } of given) {
    for (let spin = 0; spin < 20000 && Atomics.load(block, DONE) !== seq; spin++);
    let done = Atomics.load(block, DONE);
    while (done !== seq) {
      Atomics.wait(block, DONE, done);
      done = Atomics.load(block, DONE);
    }
  }
}
