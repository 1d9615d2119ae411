// Types for scripts/build-wasm.mjs, which test/engine/wasm-gemm.test.ts imports.
export const KERNEL_SOURCES: string[];
export const GENERATED: string;
export function generatedModule(): Promise<string>;
export function buildWasm(): Promise<string[]>;
