// W4's ceiling on this machine: how many GFLOP/s 128-bit WebAssembly SIMD gives when it does
// nothing but multiply-add, on one thread and on two at once. Twelve independent f32x4
// accumulators, no memory access: more than a matmul kernel can do, since a kernel must also
// load its operands (V8 gives WebAssembly 15 xmm registers, so at most a 4x8 tile of 8
// accumulators fits beside them; src/engine/wasm/gemm.as). With relaxed SIMD each step is one
// f32x4.relaxed_madd (fused where the CPU has FMA), without it f32x4.mul then f32x4.add.
// `npm run bench` runs it under the runner's Node flags and prints W4 beside it; by hand:
//   node [--experimental-wasm-relaxed-simd] bench/simd-ceiling.mjs   (prints JSON)
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const ACCUMULATORS = 12;
/** Each loop turn multiplies-and-adds every accumulator once: 4 lanes, 2 flops. */
const FLOPS_PER_TURN = ACCUMULATORS * 8;
const TURNS = 20_000_000;
const TIMED_CALLS = 5;
/** W4's target counts both cores. */
const THREADS = 2;

const SIMD = 0xfd;
const f32 = (x) => [...new Uint8Array(new Float32Array([x]).buffer)];
const splat = (x) => [0x43, ...f32(x), SIMD, 0x13];
const get = (i) => [0x20, i];
const set = (i) => [0x21, i];

/** One loop turn's arithmetic on accumulator `i` (a local): acc = acc·x + y. */
function step(i, x, y, relaxed) {
  if (relaxed) return [...get(i), ...get(x), ...get(y), SIMD, 0x85, 0x02, ...set(i)];
  return [...get(i), ...get(x), SIMD, 0xe6, 0x01, ...get(y), SIMD, 0xe4, 0x01, ...set(i)];
}

/**
 * A module exporting `peak(turns: i32) -> f32`. Local 0 is the turn count, 1-12 the
 * accumulators, 13 and 14 the factors; acc·0.5 + 0.25 tends to 0.5, so no value ever becomes
 * subnormal or infinite.
 */
export function ceilingModule(relaxed) {
  const x = ACCUMULATORS + 1;
  const y = ACCUMULATORS + 2;
  const accs = Array.from({ length: ACCUMULATORS }, (_, k) => k + 1);
  const body = [
    ...[0x01, ACCUMULATORS + 2, 0x7b],
    ...splat(0.5),
    ...set(x),
    ...splat(0.25),
    ...set(y),
    ...accs.flatMap((i) => [...splat(i / 16), ...set(i)]),
    ...[0x03, 0x40],
    ...accs.flatMap((i) => step(i, x, y, relaxed)),
    ...[...get(0), 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00],
    0x0b,
    // The sum of every accumulator: TurboFan drops the arithmetic of any the result does not use.
    ...get(1),
    ...accs.slice(1).flatMap((i) => [...get(i), SIMD, 0xe4, 0x01]),
    ...[SIMD, 0x1f, 0x00],
    0x0b,
  ];
  const code = [0x01, ...leb(body.length), ...body];
  const name = [...'peak'].map((c) => c.charCodeAt(0));
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...[0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7d],
    ...[0x03, 0x02, 0x01, 0x00],
    ...[0x07, name.length + 4, 0x01, name.length, ...name, 0x00, 0x00],
    ...[0x0a, ...leb(code.length), ...code],
  ]);
}

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** This thread's best GFLOP/s over TIMED_CALLS calls, after calls that let V8 tier the loop up. */
function measure(relaxed, start) {
  const { peak } = new WebAssembly.Instance(new WebAssembly.Module(ceilingModule(relaxed))).exports;
  for (let i = 0; i < 20; i++) peak(100_000);
  if (start) {
    // Both threads start their timed calls together, so that they run side by side.
    Atomics.add(start, 0, 1);
    while (Atomics.load(start, 0) < THREADS);
  }
  let best = 0;
  for (let i = 0; i < TIMED_CALLS; i++) {
    const t0 = performance.now();
    peak(TURNS);
    best = Math.max(best, (TURNS * FLOPS_PER_TURN) / (performance.now() - t0) / 1e6);
  }
  return best;
}

/** Whether this runtime validates relaxed SIMD (as the engine chooses its build). */
function relaxedAvailable() {
  try {
    return WebAssembly.validate(ceilingModule(true));
  } catch {
    return false;
  }
}

/** One thread's figure, and two threads' summed, each thread in a worker of its own. */
export async function simdCeiling() {
  const relaxed = relaxedAvailable();
  const oneThread = measure(relaxed, null);
  const start = new Int32Array(new SharedArrayBuffer(4));
  const file = fileURLToPath(import.meta.url);
  const each = await Promise.all(
    Array.from(
      { length: THREADS },
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(file, { workerData: { relaxed, start } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  return { relaxed, oneThread, twoThreads: each.reduce((a, b) => a + b, 0) };
}

if (!isMainThread) parentPort.postMessage(measure(workerData.relaxed, workerData.start));
else if (process.argv[1] === fileURLToPath(import.meta.url))
  process.stdout.write(`${JSON.stringify(await simdCeiling())}\n`);
