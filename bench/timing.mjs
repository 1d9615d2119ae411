// Clocks and memory readings shared by the Node peers.
import { readFileSync } from 'node:fs';

/** Milliseconds from a monotonic clock. */
export const now = () => performance.now();

/** Collects garbage when node runs with --expose-gc, so one phase's garbage is not billed to the next. */
export function collect() {
  globalThis.gc?.();
}

/** The process's peak resident set size so far, in MB (VmHWM; resourceUsage as a fallback). */
export function peakRssMB() {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // Not Linux: fall through.
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** The median of a non-empty list. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** GFLOP/s for `reps` repetitions of `flops` each taking `ms` in all. */
export const gflops = (flops, reps, ms) => (flops * reps) / (ms / 1000) / 1e9;
