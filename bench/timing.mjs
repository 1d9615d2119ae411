// Clocks and memory readings shared by the Node peers.
import { readFileSync, writeFileSync } from 'node:fs';

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

/** Milliseconds of the fastest of `runs` calls of `fn` (each call is one timed repetition). */
export function bestOf(runs, fn) {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    collect();
    const t0 = now();
    fn();
    best = Math.min(best, now() - t0);
  }
  return best;
}

/** GFLOP/s of `flops` done in `ms`. */
export const gflops = (flops, ms) => flops / (ms / 1000) / 1e9;

/** The process's resident set size now, in MB. */
export const rssMB = () => process.memoryUsage().rss / 1048576;

/**
 * Starts the peak resident size (VmHWM) again from the present size (Linux: clear_refs 5), so
 * that a workload run after others reports its own peak; false where that is not possible.
 */
export function resetPeakRss() {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
