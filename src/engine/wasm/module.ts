// The engine's WebAssembly SIMD module (gemm.as, optim.as, math.as): instantiated once on first use,
// on a shared memory where the host allows it (so worker threads can run matmul tiles on the
// same memory), else on an ordinary one; built with relaxed SIMD (fused multiply-adds in the
// matmul kernel) where the runtime has it, else with plain SIMD. Every kernel driver (gemm.ts,
// adam.ts, math.ts) answers `false` when this module is unavailable or switched off, and the
// caller falls back to its TypeScript loop.
import {
  SIMD_RELAXED_SHARED_WASM_BASE64,
  SIMD_RELAXED_WASM_BASE64,
  SIMD_SHARED_WASM_BASE64,
  SIMD_WASM_BASE64,
} from './simd.generated';
import { relaxedSimdSupported } from './relaxed-simd';

/** Which kernels run float32 work: `'auto'` picks WASM SIMD where it pays. */
export type KernelBackend = 'auto' | 'wasm' | 'ts';
const KERNEL_BACKENDS: readonly string[] = ['auto', 'wasm', 'ts'];

export interface SimdExports {
  heapBase(): number;
  scratchBytes(): number;
  panelBytes(): number;
  blockDepth(): number;
  blockCols(): number;
  tileRows(): number;
  tileCols(): number;
  packB(kc: number, nc: number, b: number, rsb: number, csb: number, dst: number): void;
  macroKernel(
    mc: number,
    nc: number,
    kc: number,
    a: number,
    rsa: number,
    csa: number,
    pb: number,
    c: number,
    ldc: number,
    overwrite: number,
    scratch: number,
  ): void;
  gemm(
    m: number,
    n: number,
    k: number,
    a: number,
    rsa: number,
    csa: number,
    b: number,
    rsb: number,
    csb: number,
    c: number,
    ldc: number,
    overwrite: number,
    scratch: number,
  ): void;
  adam(
    n: number,
    g: number,
    w: number,
    m: number,
    v: number,
    sign: number,
    weightDecay: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    bc2Sqrt: number,
    eps: number,
    negStepSize: number,
  ): void;
  unaryF32(kind: number, n: number, src: number, dst: number): void;
}

export interface SimdModule {
  exports: SimdExports;
  /** The compiled module, for worker threads to instantiate on `memory`. */
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  shared: boolean;
  /** Whether this is the relaxed SIMD build (its products round each multiply-add once). */
  relaxed: boolean;
  /** Bytes from heapBase reserved for worker-thread control blocks. */
  controlBase: number;
  /** First byte drivers may use as scratch; everything above it is theirs between calls. */
  base: number;
}

/** Room for the control blocks of up to 16 worker threads (64 bytes each). */
const CONTROL_BYTES = 1024;

/** Callers' buffers never reach past this many bytes: they fall back instead. */
const MAX_WASM_BYTES = 2 ** 31;

let backend: KernelBackend | null = null;
/** `undefined`: not tried yet; `null`: unavailable here. */
let loaded: SimdModule | null | undefined;
let heap: Float32Array | null = null;

/** Reads an environment variable through globalThis, so the engine imports no Node module. */
export function envVar(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.[name];
}

function envBackend(): KernelBackend {
  const v = envVar('GRADLENS_NO_WASM');
  return v !== undefined && v !== '' && v !== '0' ? 'ts' : 'auto';
}

/** The backend in effect: `GRADLENS_NO_WASM=1` at start-up, or the last `_setKernelBackend`. */
export function kernelBackend(): KernelBackend {
  if (backend === null) backend = envBackend();
  return backend;
}

/**
 * Chooses the kernels for float32 matmul, Adam, exp, tanh and sigmoid (internal: for tests and benchmarks).
 * `'ts'` forces the portable TypeScript loops, as the environment variable
 * `GRADLENS_NO_WASM=1` does at start-up; `'wasm'` uses WebAssembly SIMD for every size it can;
 * `'auto'` (the default) uses it above a size threshold. Returns the backend now in effect
 * for work that WebAssembly can take: `'ts'` when WebAssembly SIMD is unavailable.
 *
 * @example
 * _setKernelBackend('ts'); // compare against the portable kernels
 * const y = a.mm(b);
 * _setKernelBackend('auto');
 */
export function _setKernelBackend(choice: KernelBackend): KernelBackend {
  // JavaScript callers pass any string.
  if (!KERNEL_BACKENDS.includes(choice)) {
    throw new Error(`_setKernelBackend(): expected 'auto', 'wasm' or 'ts' but got ${choice}`);
  }
  backend = choice;
  if (choice === 'ts') return 'ts';
  return simd() === null ? 'ts' : choice;
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const compiled = new Map<string, WebAssembly.Module | null>();

/**
 * Compiles a binary once; null where it does not validate (no SIMD, or no threads for shared).
 * A module dropped for its memory (dropSimd) is instantiated again from the same compilation.
 */
function compile(base64: string): WebAssembly.Module | null {
  let m = compiled.get(base64);
  if (m === undefined) compiled.set(base64, (m = compileNow(base64)));
  return m;
}

function compileNow(base64: string): WebAssembly.Module | null {
  const bytes = decodeBase64(base64);
  // Validating the kernel itself is the feature test: it fails exactly where v128 is unknown.
  // Synchronous compilation is fine for a module of a few KiB (browsers limit only big ones).
  return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
}

/** The two builds of one memory variant, preferred first. */
interface Binaries {
  relaxed: string;
  plain: string;
}
const SHARED: Binaries = {
  relaxed: SIMD_RELAXED_SHARED_WASM_BASE64,
  plain: SIMD_SHARED_WASM_BASE64,
};
const PLAIN: Binaries = { relaxed: SIMD_RELAXED_WASM_BASE64, plain: SIMD_WASM_BASE64 };

/**
 * Whether to use the relaxed SIMD build: where the runtime has relaxed SIMD, unless
 * `GRADLENS_NO_RELAXED_SIMD` is set (read at each instantiation, like the module's memory).
 */
function wantRelaxed(): boolean {
  const off = envVar('GRADLENS_NO_RELAXED_SIMD');
  return (off === undefined || off === '' || off === '0') && relaxedSimdSupported();
}

/** The relaxed build where wanted and it compiles, else the plain one; null if neither does. */
function compileBest(binaries: Binaries): { module: WebAssembly.Module; relaxed: boolean } | null {
  if (wantRelaxed()) {
    const module = compile(binaries.relaxed);
    if (module !== null) return { module, relaxed: true };
  }
  const module = compile(binaries.plain);
  return module === null ? null : { module, relaxed: false };
}

function instantiateShared(): SimdModule | null {
  try {
    const best = compileBest(SHARED);
    if (best === null) return null;
    // Browsers without cross-origin isolation refuse shared memories: the plain module serves.
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    const exports = new WebAssembly.Instance(best.module, { env: { memory } })
      .exports as unknown as SimdExports;
    return layout(exports, best.module, memory, true, best.relaxed);
  } catch {
    return null;
  }
}

function instantiatePlain(): SimdModule | null {
  try {
    const best = compileBest(PLAIN);
    if (best === null) return null;
    const instance = new WebAssembly.Instance(best.module, {});
    const exports = instance.exports as unknown as SimdExports & { memory: WebAssembly.Memory };
    return layout(exports, best.module, exports.memory, false, best.relaxed);
  } catch {
    return null;
  }
}

export const align = (bytes: number): number => Math.ceil(bytes / 64) * 64;

function layout(
  exports: SimdExports,
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  shared: boolean,
  relaxed: boolean,
): SimdModule {
  const controlBase = align(exports.heapBase());
  return {
    exports,
    module,
    memory,
    shared,
    relaxed,
    controlBase,
    base: controlBase + CONTROL_BYTES,
  };
}

/** The module, instantiated on first call; null where WebAssembly or its SIMD is missing. */
export function simd(): SimdModule | null {
  if (loaded !== undefined) return loaded;
  loaded = typeof WebAssembly === 'object' ? (instantiateShared() ?? instantiatePlain()) : null;
  return loaded;
}

/**
 * Forgets `mod` (if it is the module in use), so that its memory, which cannot shrink, is
 * freed once nothing else holds it; the next kernel call instantiates a fresh module on a
 * small memory. Its worker threads must be stopped first (threads.ts stopPool).
 */
export function dropSimd(mod: SimdModule): void {
  if (loaded !== mod) return;
  loaded = undefined;
  heap = null;
}

/** Whether float32 work can run on WebAssembly SIMD here (internal). */
export function wasmSimdAvailable(): boolean {
  return simd() !== null;
}

/**
 * The module and a view of its memory with `scratchBytes` free from `base`, for work on `n`
 * elements; null when the TypeScript loop should run instead: kernels switched off, fewer
 * than `min` elements under 'auto', or no WebAssembly SIMD here.
 */
export function simdScratch(
  n: number,
  min: number,
  scratchBytes: number,
): { mod: SimdModule; heap: Float32Array } | null {
  const backend = kernelBackend();
  if (backend === 'ts' || (backend === 'auto' && n < min)) return null;
  const mod = simd();
  if (mod === null) return null;
  const heap = heapOf(mod, mod.base + scratchBytes);
  return heap === null ? null : { mod, heap };
}

/**
 * A float32 view of the module's memory holding at least `bytes` bytes, growing the memory
 * if needed; null when it cannot grow that far (the caller falls back).
 */
export function heapOf(mod: SimdModule, bytes: number): Float32Array | null {
  if (bytes > MAX_WASM_BYTES) return null;
  const mem = mod.memory;
  if (mem.buffer.byteLength < bytes) {
    try {
      mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
    } catch {
      return null; // the host refused: the caller falls back.
    }
  }
  // A shared memory's buffer object is replaced on growth without detaching the old one, a
  // plain memory's old buffer is detached: either way a new view is needed.
  if (heap === null || heap.buffer !== mem.buffer) heap = new Float32Array(mem.buffer);
  return heap;
}
