// Worker threads that share a large matmul on the SIMD module's shared memory, so a product
// uses every core while the engine's API stays synchronous: the calling thread posts the
// product in a control block in shared memory, works on it too, and blocks on Atomics until
// it is done. No message passing per product: a postMessage round trip costs more than a
// whole W1-sized product.
//
// A product is cut into units, claimed by whichever thread gets to them first (a worker the
// OS has not scheduled yet costs nothing: the caller runs the units itself). First come the
// pack units, which pack B once into panels every thread reads, each as soon as the caller
// has copied in the rows of B it reads (the caller copies B in a few pieces after posting
// the product, so the workers pack while it copies); then the product units, each a block of
// C (its rows of A packed by the thread that claimed it), which wait until B is packed and
// the caller has copied A in. Packing B once instead of once per thread, and
// many small units instead of one per thread, keep both cores busy to the end even when one
// of them is interrupted.
//
// Workers exist only where the host offers them without an import (Node's
// process.getBuiltinModule): the engine never imports a Node module, and elsewhere every
// product simply runs on the calling thread.
import { envVar, type SimdExports, type SimdModule } from './module';

/**
 * Int32 slots of the control block at the module's controlBase. For each product the caller
 * writes TASK, COUNT, SCRATCH, PACKED = 0, C_IN = 0, FINISHED = 0, B_ROWS = 0 and A_ROWS = 0,
 * sets NEXT to the product's tag with index 0, then bumps SEQ. Every thread claims units by
 * compare-and-swap on NEXT until the index reaches COUNT. The tag (SEQ's low bits) in NEXT's high bits stops a worker
 * still finishing one product from claiming a unit of the next before it has seen its SEQ.
 */
const SLOTS = {
  SEQ: 0, // bumped by the caller for each product
  NEXT: 1, // tag << INDEX_BITS | the next unit to claim
  COUNT: 2, // units in this product
  FINISHED: 3, // units done
  SCRATCH: 4, // packing scratch of thread t: SCRATCH + t·SCRATCH_STEP (bytes)
  SCRATCH_STEP: 5,
  PACKED: 6, // pack units done
  C_IN: 7, // 1 once the caller has copied C in (or allocated the product's array)
  READY: 8, // READY + w is 1 once worker w has instantiated the module
  RAN: 24, // RAN + w counts the units worker w has run
  TASK: 48, // the product: see GemmTask and runGemm
  TASK_SLOTS: 21,
  B_ROWS: 69, // rows of B's storage copied in so far
  A_ROWS: 70, // rows of A's storage copied in so far
  DONE: 72, // DONE + p is the product's tag once its product unit p is done
  INDEX_BITS: 12,
};
type Slots = typeof SLOTS;
/** Units per product, as NEXT's low bits can count. */
const MAX_UNITS = 1 << SLOTS.INDEX_BITS;
/** Product units per product, as DONE has slots for. */
const MAX_PRODUCT_UNITS = 64;
const BLOCK_SLOTS = SLOTS.DONE + MAX_PRODUCT_UNITS;

const tagOf = (seq: number): number => seq & ((1 << (31 - SLOTS.INDEX_BITS)) - 1);

/** What drive needs of the kernel module (its exports, or a worker's instance of it). */
type Kernel = Pick<SimdExports, 'packB' | 'macroKernel'>;

/**
 * Claims and runs units of the product tagged `tag` until none is left; returns how many it
 * ran. `afterUnit`, if given, is called after each. Runs on the calling thread and, from its
 * source, in every worker: it must use nothing from outside but its arguments (`L` is SLOTS).
 */
function drive(
  k: Kernel,
  s: Int32Array,
  thread: number,
  tag: number,
  L: Slots,
  afterUnit: (() => void) | null,
): number {
  const t = L.TASK;
  const [m, n, depth, a, rsa, csa, b, rsb, csb, c, ldc, overwrite] = s.subarray(t, t + 12);
  const [packed, kStep, nPad, packChunks, packCols, unitRows, unitCols, colUnits, ncMax] =
    s.subarray(t + 12, t + L.TASK_SLOTS);
  const count = Atomics.load(s, L.COUNT);
  const packUnits = Math.ceil(depth / kStep) * packChunks;
  const scratch = Atomics.load(s, L.SCRATCH) + thread * Atomics.load(s, L.SCRATCH_STEP);
  const mask = (1 << L.INDEX_BITS) - 1;
  /** Waits until slot `slot` reaches `value`: spins briefly, then sleeps. */
  const waitFor = (slot: number, value: number): void => {
    for (let spin = 0, r = Atomics.load(s, slot); r < value; r = Atomics.load(s, slot))
      if (++spin > 20000) Atomics.wait(s, slot, r);
  };
  let ran = 0;
  for (;;) {
    const v = Atomics.load(s, L.NEXT);
    if (v >>> L.INDEX_BITS !== tag || (v & mask) >= count) return ran;
    if (Atomics.compareExchange(s, L.NEXT, v, v + 1) !== v) continue;
    const u = v & mask;
    try {
      if (u < packUnits) {
        // Panels of B for depths pc..pc+kc and columns j0..j0+w, at their place in the whole.
        const pc = Math.floor(u / packChunks) * kStep;
        const kc = Math.min(kStep, depth - pc);
        const j0 = (u % packChunks) * packCols;
        const w = Math.min(packCols, n - j0);
        // The rows of B's storage this unit reads: depths when B is row-major (unit stride
        // along j), columns when it is a transposed view.
        waitFor(L.B_ROWS, csb === 1 ? pc + kc : j0 + w);
        k.packB(kc, w, b + (pc * rsb + j0 * csb) * 4, rsb, csb, packed + (pc * nPad + j0 * kc) * 4);
        Atomics.add(s, L.PACKED, 1);
        Atomics.notify(s, L.PACKED);
      } else {
        // A block of C needs all of B packed, and C copied in when the product adds to it
        // (briefly); A comes in pieces, waited for pass by pass below.
        waitFor(L.PACKED, packUnits);
        if (!overwrite) waitFor(L.C_IN, 1);
        const p = u - packUnits;
        const i0 = Math.floor(p / colUnits) * unitRows;
        const i1 = Math.min(i0 + unitRows, m);
        const j0 = (p % colUnits) * unitCols;
        const j1 = Math.min(j0 + unitCols, n);
        for (let pc = 0; pc < depth; pc += kStep) {
          const kc = Math.min(kStep, depth - pc);
          // The rows of A's storage this pass reads: the unit's rows when A is row-major,
          // the pass's depths when it is a transposed view.
          waitFor(L.A_ROWS, csa === 1 ? i1 : pc + kc);
          const ai = a + (i0 * rsa + pc * csa) * 4;
          // Columns at most ncMax at a time: their panels of B stay in L2 for the pass.
          for (let j = j0; j < j1; j += ncMax) {
            const pb = packed + (pc * nPad + j * kc) * 4;
            const cij = c + (i0 * ldc + j) * 4;
            const first = overwrite && pc === 0 ? 1 : 0;
            k.macroKernel(
              i1 - i0,
              Math.min(ncMax, j1 - j),
              kc,
              ai,
              rsa,
              csa,
              pb,
              cij,
              ldc * 4,
              first,
              scratch,
            );
          }
        }
        Atomics.store(s, L.DONE + p, tag);
      }
    } finally {
      ran++;
      Atomics.add(s, L.FINISHED, 1);
      Atomics.notify(s, L.FINISHED);
    }
    if (afterUnit !== null) afterUnit();
  }
}

/**
 * The worker's whole program (CommonJS, run with `eval`): instantiate the module on the shared
 * memory, then run units of each product with drive. It spins briefly before sleeping because
 * products come in bursts (a forward's, then a backward's) and waking from Atomics.wait costs
 * tens of µs.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, thread, slots: L } = workerData;
const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
const s = new Int32Array(memory.buffer, control, ${BLOCK_SLOTS});
const drive = (${drive.toString()});
let seen = Atomics.load(s, L.SEQ);
Atomics.store(s, L.READY + thread - 1, 1);
for (;;) {
  for (let spin = 0; spin < 20000 && Atomics.load(s, L.SEQ) === seen; spin++);
  Atomics.wait(s, L.SEQ, seen);
  seen = Atomics.load(s, L.SEQ);
  const ran = drive(k, s, thread, seen & ((1 << (31 - L.INDEX_BITS)) - 1), L, null);
  Atomics.add(s, L.RAN + thread - 1, ran);
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
const MAX_THREADS = SLOTS.RAN - SLOTS.READY;

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
          slots: SLOTS,
        },
      });
      // A worker that fails stops counting as ready; parts it would have run, the caller runs.
      worker.on('error', () => Atomics.store(block, SLOTS.READY + w, 0));
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

/** How many parts each worker has run so far (internal: tests and diagnostics). */
export function workerParts(mod: SimdModule): number[] {
  const p = poolFor(mod);
  return p === null
    ? []
    : Array.from({ length: p.workers }, (_, w) => Atomics.load(p.block, SLOTS.RAN + w));
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
  for (let w = 0; w < p.workers; w++) if (Atomics.load(p.block, SLOTS.READY + w) === 1) n++;
  return n;
}

/**
 * One product C[m,n] (+)= A[m,k]·B[k,n] for the pool, with gemm's arguments (addresses in
 * bytes, strides in floats: A(i,p) at a + 4·(i·rsa + p·csa), B(p,j) at b + 4·(p·rsb + j·csb),
 * C row-major with ldc floats per row), and where its shared buffers are.
 */
export interface GemmTask {
  m: number;
  n: number;
  k: number;
  a: number;
  rsa: number;
  csa: number;
  b: number;
  rsb: number;
  csb: number;
  c: number;
  ldc: number;
  overwrite: number;
  /** packedBytes(...) free bytes for B's panels. */
  packed: number;
  /** The first thread's packing scratch for A; thread t's is scratchStep bytes further on. */
  scratch: number;
  scratchStep: number;
}

/**
 * Product units per thread: enough that the threads finish together even if one is held up,
 * and that the one that finishes first waits little for the other's last unit.
 */
const UNITS_PER_THREAD = 32;
/** Nor fewer rows to a product unit than this: each unit's claim and hand-off cost. */
const MIN_UNIT_ROWS = 32;

/** How `drive` cuts a product of `threads` threads into units. */
function plan(kern: SimdExports, m: number, n: number, k: number, threads: number) {
  const roundUp = (x: number, step: number): number => Math.ceil(x / step) * step;
  const mr = kern.tileRows();
  const nr = kern.tileCols();
  const ncMax = kern.blockCols();
  const nPad = roundUp(n, nr);
  // As gemm does in gemm.as: passes of even depth, multiples of 4.
  const kBlocks = Math.ceil(k / kern.blockDepth());
  const kStep = Math.min(kern.blockDepth(), roundUp(Math.ceil(k / kBlocks), 4));
  // Two pack units per thread and pass, of whole panels.
  const packCols = roundUp(Math.ceil(nPad / Math.min(2 * threads, nPad / nr)), nr);
  const packChunks = Math.ceil(n / packCols);
  // Product units: blocks of C at most ncMax columns wide (the panels of B a pass of one
  // unit reads then stay in L2), unless that makes more than wanted, then cut by rows into as
  // many as wanted. Rows cost nothing to cut: every unit packs its A four rows at a time.
  const wanted = Math.min(UNITS_PER_THREAD * threads, MAX_PRODUCT_UNITS);
  const unitCols = roundUp(Math.ceil(nPad / Math.min(Math.ceil(nPad / ncMax), wanted)), nr);
  const colUnits = Math.ceil(n / unitCols);
  const rowUnits = Math.max(
    1,
    Math.min(Math.ceil(m / MIN_UNIT_ROWS), Math.floor(wanted / colUnits)),
  );
  const unitRows = roundUp(Math.ceil(m / rowUnits), mr);
  const productUnits = Math.ceil(m / unitRows) * colUnits;
  const packUnits = kBlocks * packChunks;
  return {
    kStep,
    nPad,
    packChunks,
    packCols,
    unitRows,
    unitCols,
    colUnits,
    ncMax,
    packUnits,
    productUnits,
  };
}

/** Bytes of B's panels for an n-column product of depth k. */
export function packedBytes(kern: SimdExports, n: number, k: number): number {
  const nr = kern.tileCols();
  return Math.ceil(n / nr) * nr * k * 4;
}

/** Copies the block of C at rows i0..i0+rows, columns j0..j0+cols out of the heap. */
export type CopyOut = (i0: number, rows: number, j0: number, cols: number) => void;

/**
 * How runGemm copies an operand in: `rows` rows of its storage (for B, depths when it is
 * row-major, columns when it is a transposed view; for A, rows or depths), `copy(r0, r1)`
 * copying rows r0..r1-1.
 */
export interface RowCopy {
  rows: number;
  copy(r0: number, r1: number): void;
}

/**
 * Pieces B and A are copied in: the workers start packing B once its first piece is in, and
 * on blocks of C once all of B is packed and the rows of A they read are in, so the caller's
 * copying overlaps their work.
 */
const PIECES = 8;

/**
 * Runs `task` on the calling thread and whichever workers join, returning when it is done and
 * copied out. `copyB` copies B in, piece by piece while the workers pack the pieces already
 * in; `copyA` then copies A in, piece by piece while they finish packing B and start on the
 * blocks of C whose rows are in; `copyRest` then copies C in when the product adds to it (the
 * blocks wait for it) or allocates the product's array; `copyOut` copies blocks of C out as
 * they are done, so that most of that copy overlaps the workers' last units. There must be
 * room for poolThreads(mod) scratch areas of A.
 */
export function runGemm(
  mod: SimdModule,
  task: GemmTask,
  threads: number,
  copyB: RowCopy,
  copyA: RowCopy,
  copyRest: () => void,
  copyOut: CopyOut,
): void {
  const kern = mod.exports;
  const p = poolFor(mod);
  const u = plan(kern, task.m, task.n, task.k, threads);
  const units = u.packUnits + u.productUnits;
  if (p === null || units > MAX_UNITS || u.productUnits > MAX_PRODUCT_UNITS) {
    copyB.copy(0, copyB.rows);
    copyA.copy(0, copyA.rows);
    copyRest();
    const { m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, overwrite } = task;
    kern.gemm(m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, overwrite, task.scratch);
    copyOut(0, m, 0, n);
    return;
  }
  const s = p.block;
  s.set(
    [
      ...[task.m, task.n, task.k, task.a, task.rsa, task.csa, task.b, task.rsb, task.csb],
      ...[task.c, task.ldc, task.overwrite, task.packed, u.kStep, u.nPad, u.packChunks],
      ...[u.packCols, u.unitRows, u.unitCols, u.colUnits, u.ncMax],
    ],
    SLOTS.TASK,
  );
  Atomics.store(s, SLOTS.COUNT, units);
  Atomics.store(s, SLOTS.SCRATCH, task.scratch);
  Atomics.store(s, SLOTS.SCRATCH_STEP, task.scratchStep);
  Atomics.store(s, SLOTS.PACKED, 0);
  Atomics.store(s, SLOTS.C_IN, 0);
  Atomics.store(s, SLOTS.FINISHED, 0);
  Atomics.store(s, SLOTS.B_ROWS, 0);
  Atomics.store(s, SLOTS.A_ROWS, 0);
  // No tag is negative: a slot left from a product with the same tag (2¹⁹ ago) cannot match.
  s.fill(-1, SLOTS.DONE, SLOTS.DONE + u.productUnits);
  const seq = (Atomics.load(s, SLOTS.SEQ) + 1) | 0;
  const tag = tagOf(seq);
  Atomics.store(s, SLOTS.NEXT, tag << SLOTS.INDEX_BITS);
  Atomics.store(s, SLOTS.SEQ, seq);
  Atomics.notify(s, SLOTS.SEQ);
  try {
    copyInPieces(s, SLOTS.B_ROWS, copyB);
    copyInPieces(s, SLOTS.A_ROWS, copyA);
    copyRest();
  } finally {
    // Rows and gate opened whatever happens, or the workers would wait for good.
    Atomics.store(s, SLOTS.B_ROWS, copyB.rows);
    Atomics.notify(s, SLOTS.B_ROWS);
    Atomics.store(s, SLOTS.A_ROWS, copyA.rows);
    Atomics.notify(s, SLOTS.A_ROWS);
    Atomics.store(s, SLOTS.C_IN, 1);
    Atomics.notify(s, SLOTS.C_IN);
  }
  const copied = new Uint8Array(u.productUnits);
  let left = u.productUnits;
  /** Copies out the blocks of C done since the last call. */
  const collect = (): void => {
    for (let q = 0; q < u.productUnits; q++) {
      if (copied[q] === 1 || Atomics.load(s, SLOTS.DONE + q) !== tag) continue;
      copied[q] = 1;
      left--;
      const i0 = Math.floor(q / u.colUnits) * u.unitRows;
      const j0 = (q % u.colUnits) * u.unitCols;
      copyOut(i0, Math.min(u.unitRows, task.m - i0), j0, Math.min(u.unitCols, task.n - j0));
    }
  };
  drive(kern, s, 0, tag, SLOTS, collect);
  for (let done = Atomics.load(s, SLOTS.FINISHED); ; done = Atomics.load(s, SLOTS.FINISHED)) {
    collect();
    if (left === 0) return;
    // The workers' last units: spin briefly, then sleep until one more is done.
    for (let spin = 0; spin < 20000 && Atomics.load(s, SLOTS.FINISHED) === done; spin++);
    Atomics.wait(s, SLOTS.FINISHED, done);
  }
}

/** Copies an operand in PIECES pieces, telling the workers after each how many rows are in. */
function copyInPieces(s: Int32Array, slot: number, operand: RowCopy): void {
  const step = Math.ceil(operand.rows / PIECES);
  for (let r0 = 0; r0 < operand.rows; r0 += step) {
    const r1 = Math.min(operand.rows, r0 + step);
    operand.copy(r0, r1);
    Atomics.store(s, slot, r1);
    Atomics.notify(s, slot);
  }
}
