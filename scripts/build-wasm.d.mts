// Types for scripts/build-wasm.mjs, which test/engine/wasm-gemm.test.ts imports.
export interface Kernel {
  source: string;
  out: string;
  name: string;
}
export const KERNELS: Kernel[];
export function compileKernel(kernel: Kernel): Promise<string>;
export function buildWasm(): Promise<string[]>;
