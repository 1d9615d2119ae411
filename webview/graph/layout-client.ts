// The page's side of the layout worker: one request at a time is answered in order, each paired
// with its result by `seq`; progress shows after PROGRESS_DELAY_MS. The worker is started from
// a Blob of its bundled source (see webview/build.mjs and the CSP's worker-src).
import workerSource from 'layout-worker-source';
import { progress, progressBar, progressText } from './dom';
import type { FromWorker, ToWorker } from './layout-messages';

/** Layouts quicker than this never show the progress bar (no flicker on small graphs). */
const PROGRESS_DELAY_MS = 150;

export type LayoutRequest = ToWorker extends infer T
  ? T extends ToWorker
    ? Omit<T, 'seq'>
    : never
  : never;
export type LayoutResult = Extract<FromWorker, { type: 'result' }>;

/** The error a request is rejected with when the user cancels its layout. */
export const CANCELLED = 'layout cancelled';

interface Waiting {
  resolve(m: LayoutResult): void;
  reject(e: Error): void;
}

let worker: Worker | null = null;
let seq = 0;
const waiting = new Map<number, Waiting>();
let progressTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Starts the worker if it is not running: parsing ELK takes a moment, and the view usually
 * opens while the script still runs, so the first graph finds the worker ready.
 */
export function startLayoutWorker(): Worker {
  if (worker !== null) return worker;
  const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  w.onmessage = (e: MessageEvent<FromWorker>) => {
    onResult(e.data);
  };
  w.onerror = (e) => {
    rejectAll(`layout worker failed: ${e.message}`);
  };
  worker = w;
  return w;
}

function onResult(m: FromWorker): void {
  const wait = waiting.get(m.seq);
  if (wait === undefined) return;
  if (m.type === 'progress') {
    progressText.textContent = `Laying out (${m.phase})…`;
    progressBar.style.width = `${String(Math.round(m.fraction * 100))}%`;
    return;
  }
  waiting.delete(m.seq);
  if (m.type === 'error') wait.reject(new Error(m.message));
  else wait.resolve(m);
}

function rejectAll(message: string): void {
  for (const [, wait] of waiting) wait.reject(new Error(message));
  waiting.clear();
}

/** Sends one request; shows progress when it takes longer than PROGRESS_DELAY_MS. */
export function layout(m: LayoutRequest): Promise<LayoutResult> {
  const w = startLayoutWorker();
  const id = ++seq;
  return new Promise<LayoutResult>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    if (progressTimer !== null) clearTimeout(progressTimer);
    progressTimer = setTimeout(() => {
      if (!waiting.has(id)) return;
      progress.hidden = false;
      if (!progressText.textContent) progressText.textContent = 'Laying out…';
    }, PROGRESS_DELAY_MS);
    const request: ToWorker = { ...m, seq: id };
    w.postMessage(request);
  }).finally(() => {
    if (waiting.size === 0) hideProgress();
  });
}

function hideProgress(): void {
  progress.hidden = true;
  progressText.textContent = '';
  progressBar.style.width = '0';
}

/** Ends the worker and rejects its requests with CANCELLED; the next request starts afresh. */
export function cancelLayouts(): void {
  // ELK cannot be interrupted from inside.
  worker?.terminate();
  worker = null;
  rejectAll(CANCELLED);
  progress.hidden = true;
}
