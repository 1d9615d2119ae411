// Giving back the WebAssembly memory a large matrix product grew. A WebAssembly.Memory never
// shrinks, so a process that once multiplied two 1024x1024 matrices would hold that memory
// (and its worker threads' share of it) for the rest of its life. Once large products stop
// for a moment, the module, its memory and its workers are dropped; the next product
// instantiates a fresh module on a small memory (compiling nothing again) and new workers.
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
const IDLE_MS = 500;

let lastLarge = 0;
let timer: ReturnType<typeof setTimeout> | null = null;
let held: SimdModule | null = null;

/** Called after each product on `mod`: arms the release when its memory is over KEEP_BYTES. */
export function releaseWhenIdle(mod: SimdModule): void {
  if (mod.memory.buffer.byteLength <= KEEP_BYTES) return;
  lastLarge = Date.now();
  held = mod;
  if (timer === null) arm(IDLE_MS);
}

function arm(ms: number): void {
  timer = setTimeout(check, ms);
  // Waiting to free memory must not keep a finished script's process alive.
  (timer as { unref?(): void }).unref?.();
}

function check(): void {
  timer = null;
  const idle = Date.now() - lastLarge;
  if (idle < IDLE_MS) {
    arm(IDLE_MS - idle);
    return;
  }
  if (held !== null) releaseNow(held);
}

function releaseNow(mod: SimdModule): void {
  stopPool(mod);
  dropSimd(mod);
  if (held === mod) held = null;
}
