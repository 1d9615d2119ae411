// Giving back what large matrix products hold once they stop. A WebAssembly.Memory never
// shrinks, so a process that once multiplied two 1024x1024 matrices would hold that memory
// (and its worker threads' share of it) for the rest of its life; and the worker threads,
// each a JavaScript engine of its own, would stay for the rest of the process too. Once large
// products stop for a moment, the module, its memory and its workers are dropped; the next
// product instantiates a fresh module on a small memory (compiling nothing again) and new
// workers. Once any product has stopped for longer, the workers end too (the module stays).
import { dropSimd, type SimdModule } from './module';
import { stopPool } from './threads';

/**
 * Memory the module may keep between products: every product of a training step of the
 * sizes this engine is used for (an MNIST MLP, a LeNet batch of 64) fits in it, so they
 * never pay for a new module.
 */
export const KEEP_BYTES = 8 * 2 ** 20;

/**
 * How long large products must have stopped before their memory goes: a loop that makes one
 * each step keeps it, whether it yields to the event loop between steps or not.
 */
export const IDLE_MS = 500;

/**
 * How long products must have stopped before the worker threads end: longer than a pause
 * inside a training loop (evaluation, logging), short against a notebook's pause between
 * cells. Starting them again costs the next product its parallelism until they are up.
 */
export const POOL_IDLE_MS = 5000;

let lastProduct = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
/** When the armed check runs (Date.now() time). */
let checkAt = 0;
let held: SimdModule | null = null;

/**
 * Called after each product on `mod`: arms the release of what it holds once products stop.
 * A check armed for longer (POOL_IDLE_MS, while the memory was small) is brought forward once
 * a product has grown the memory, or a large product would hold it for seconds.
 */
export function releaseWhenIdle(mod: SimdModule): void {
  lastProduct = Date.now();
  held = mod;
  const limit = idleLimit(mod);
  if (timer === null || lastProduct + limit < checkAt) arm(limit);
}

/** When the next check of the release is due (Date.now() time), or null if none is armed (internal: tests). */
export function releaseCheckAt(): number | null {
  return timer === null ? null : checkAt;
}

/** How long `mod` may sit idle before the next step of its release. */
function idleLimit(mod: SimdModule): number {
  return mod.memory.buffer.byteLength > KEEP_BYTES ? IDLE_MS : POOL_IDLE_MS;
}

function arm(ms: number): void {
  if (timer !== null) clearTimeout(timer);
  checkAt = Date.now() + ms;
  timer = setTimeout(check, ms);
  // Waiting to free memory must not keep a finished script's process alive.
  (timer as { unref?(): void }).unref?.();
}

function check(): void {
  timer = null;
  const mod = held;
  if (mod === null) return;
  const idle = Date.now() - lastProduct;
  const limit = idleLimit(mod);
  if (idle < limit) {
    arm(limit - idle);
    return;
  }
  held = null;
  stopPool(mod);
  if (limit === IDLE_MS) {
    dropSimd(mod);
    collectGarbage();
  }
}

/** Where a host that can collect garbage on request puts its collector (the runner's child). */
export const COLLECTOR_KEY = Symbol.for('gradlens.collectGarbage');

/**
 * The dropped memory is freed only when the garbage collector finds it unreferenced, which a
 * script that allocates little may not make it do for a long time; where the host lets the
 * engine ask for a collection (the runner's child; Node's --expose-gc), ask now.
 */
function collectGarbage(): void {
  const g = globalThis as { [COLLECTOR_KEY]?: () => void; gc?: () => void };
  (g[COLLECTOR_KEY] ?? g.gc)?.();
}
