// A time limit on each phase of a bench (one row of one round, say), so that a hang prints
// where the bench was and what its processes were doing, and ends the bench, instead of
// holding up `npm run bench` until its overall timeout. The watching runs on a thread of its
// own (bench/row-watchdog-worker.mjs): it speaks even when the main thread spins.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/** Slots of the shared Int32Array (kept equal to row-watchdog-worker.mjs). */
const PHASE = 0;
const BEAT = 1;
const LABEL_BYTES = 2;
const STOP = 3;
const SLOTS = 4;
const MAX_LABEL_BYTES = 1024;
/** How often the main thread's event loop marks that it turned (read as "free or not"). */
const BEAT_MS = 100;

export interface RowWatchdog {
  /** Starts the clock of a new phase, named as the diagnosis will name it. */
  enter(phase: string): void;
  /** No more phases: the watching ends. */
  stop(): void;
}

/**
 * Watches the phases of the bench `name` (run from the repository's root, as bench/run.mjs
 * runs it): one that lasts over `limitMs` ends the bench with a diagnosis on stderr.
 *
 * @example
 * const watchdog = startRowWatchdog('runner-start', 60_000);
 * watchdog.enter('cold, round 1: run to graph');
 * ...
 * watchdog.stop();
 */
export function startRowWatchdog(
  name: string,
  limitMs: number,
  workerPath = path.join(process.cwd(), 'bench', 'row-watchdog-worker.mjs'),
): RowWatchdog {
  const state = new SharedArrayBuffer(SLOTS * 4);
  const label = new SharedArrayBuffer(MAX_LABEL_BYTES);
  const slots = new Int32Array(state);
  const worker = new Worker(workerPath, { workerData: { state, label, limitMs, name } });
  worker.unref();
  const beat = setInterval(() => Atomics.add(slots, BEAT, 1), BEAT_MS);
  beat.unref();
  return {
    enter(phase) {
      const { written } = new TextEncoder().encodeInto(phase, new Uint8Array(label));
      Atomics.store(slots, LABEL_BYTES, written);
      Atomics.add(slots, PHASE, 1);
      Atomics.notify(slots, PHASE);
    },
    stop() {
      clearInterval(beat);
      Atomics.store(slots, STOP, 1);
      Atomics.add(slots, PHASE, 1);
      Atomics.notify(slots, PHASE);
    },
  };
}
