// The page's side of the layout workers: one request at a time is answered in order, each
// paired with its result by `seq`; progress shows after PROGRESS_DELAY_MS. Two workers are
// started from Blobs of their bundled sources (see webview/build.mjs and the CSP's worker-src):
// one without ELK, which the page's head starts before this script runs (see
// src/protocol/fast-worker-start.ts), and one with ELK, whose source a script of
// its own brings, loaded and started only once a first graph is on screen (startElkWorker):
// parsing ELK and its warm-up layout would otherwise take the CPU from the run and the page
// that the user is waiting on. So a window's first graph opens in the worker without ELK, and
// the page opens it again in the ELK worker (`on: 'elk'`) and adopts that view
// (adoptElkView); later graphs open in the ELK worker once it has warmed up. Expanding and
// collapsing go to the worker that holds the graph's view.
import { ELK_SOURCE_GLOBAL, ELK_SOURCE_META } from '../../src/protocol/elk-source';
import { FAST_WORKER_GLOBAL, FAST_WORKER_START_GLOBAL } from '../../src/protocol/fast-worker-start';
import { app, progress, progressBar, progressText } from './dom';
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

type WorkerKind = 'elk' | 'fast';

const workers: Record<WorkerKind, Worker | null> = { elk: null, fast: null };
/** The ELK worker's source, once its script has loaded (a failed load rejects). */
let elkSource: Promise<string> | null = null;
/** The ELK worker has laid out its warm-up graph. */
let elkWarm = false;
/** The worker holding the view of the graph on screen. */
let holder: WorkerKind = 'elk';
let seq = 0;
const waiting = new Map<number, Waiting>();
/** The requests sent without progress (see layout). */
const quiet = new Set<number>();
let progressTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Takes the worker without ELK, which lays out the first graph the page receives; a page
 * whose head did not start it says so at its first layout.
 */
export function startFastWorker(): void {
  try {
    workerOf('fast');
  } catch {
    /* see layout() */
  }
}

/** Starts the ELK worker unless it runs (or its source is still loading); a failed load leaves the fast layout. */
export function startElkWorker(): void {
  void elkWorker().catch(() => undefined);
}

/** The ELK worker, started once its source is there; rejects if that source never comes. */
async function elkWorker(): Promise<Worker> {
  const source = await (elkSource ??= loadedElkSource());
  return workerOf('elk', () => blobWorker(source));
}

/** The page's nonce, read while its script runs: the CSP runs a script the page adds only with it. */
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';

/** Loads the script that brings the ELK worker's source, from the address the page holds. */
function loadedElkSource(): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const failed = (): void => {
      reject(new Error("the ELK layout worker's script did not load"));
    };
    const uri = document.querySelector<HTMLMetaElement>(`meta[name="${ELK_SOURCE_META}"]`)?.content;
    if (uri === undefined) {
      failed();
      return;
    }
    const script = document.createElement('script');
    script.nonce = nonce;
    script.src = uri;
    script.onload = () => {
      const source = (globalThis as unknown as Record<string, string | undefined>)[
        ELK_SOURCE_GLOBAL
      ];
      if (source === undefined) failed();
      else resolve(source);
    };
    script.onerror = failed;
    document.body.append(script);
  });
}

/**
 * The worker without ELK that the page's head started, taken once; after a cancelled layout
 * ended it, a new one from the head's starter.
 */
function headWorker(): Worker {
  const head = globalThis as unknown as Record<string, unknown>;
  const first = head[FAST_WORKER_GLOBAL] as Worker | undefined;
  if (first !== undefined) {
    head[FAST_WORKER_GLOBAL] = undefined;
    return first;
  }
  const start = head[FAST_WORKER_START_GLOBAL] as (() => Worker) | undefined;
  if (start === undefined) throw new Error("the page's layout worker did not start");
  return start();
}

function blobWorker(source: string): Worker {
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  return w;
}

function workerOf(kind: WorkerKind, start: () => Worker = headWorker): Worker {
  const running = workers[kind];
  if (running !== null) return running;
  const w = start();
  w.onmessage = (e: MessageEvent<FromWorker>) => {
    onResult(e.data);
  };
  w.onerror = (e) => {
    rejectAll(`layout worker failed: ${e.message}`);
  };
  workers[kind] = w;
  // What the view showed when ELK's worker first started: tests check it waited for a graph on screen.
  if (kind === 'elk') app.dataset.elkWorkerStart ??= app.dataset.state ?? 'empty';
  return w;
}

function onResult(m: FromWorker): void {
  if (m.type === 'warm') {
    elkWarm = true;
    return;
  }
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

/**
 * Sends one request; shows progress when it takes longer than PROGRESS_DELAY_MS. An 'open'
 * goes to the ELK worker once it is warm, else to the other, which then holds the view;
 * with `on: 'elk'` it goes to the ELK worker whatever its state, without progress (a graph
 * is on screen meanwhile), and the view it opens there is used only once the page adopts it.
 */
export function layout(m: LayoutRequest, on: WorkerKind | 'auto' = 'auto'): Promise<LayoutResult> {
  let kind: WorkerKind = holder;
  if (m.op === 'open') {
    kind = on !== 'auto' ? on : elkWarm ? 'elk' : 'fast';
    if (on === 'auto') holder = kind;
  }
  const id = ++seq;
  const running = workers[kind];
  return new Promise<LayoutResult>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    const send = (w: Worker): void => {
      w.postMessage({ ...m, seq: id } satisfies ToWorker);
    };
    if (on === 'elk') {
      quiet.add(id);
      if (running !== null) send(running);
      else
        elkWorker().then(send, (e: unknown) => {
          waiting.delete(id);
          reject(e instanceof Error ? e : new Error(String(e)));
        });
      return;
    }
    if (progressTimer !== null) clearTimeout(progressTimer);
    progressTimer = setTimeout(() => {
      if (!waiting.has(id)) return;
      progress.hidden = false;
      if (!progressText.textContent) progressText.textContent = 'Laying out…';
    }, PROGRESS_DELAY_MS);
    // Only the fast worker can be missing here: the ELK one holds a view or is warm only once started.
    send(running ?? workerOf('fast'));
  }).finally(() => {
    quiet.delete(id);
    if ([...waiting.keys()].every((k) => quiet.has(k))) hideProgress();
  });
}

/** How many requests the page has sent: one more whenever a layout starts. */
export function requestsSent(): number {
  return seq;
}

/** The graph's view opened with `on: 'elk'` is the one on screen now: its toggles go there. */
export function adoptElkView(): void {
  holder = 'elk';
}

function hideProgress(): void {
  progress.hidden = true;
  progressText.textContent = '';
  progressBar.style.width = '0';
}

/** Ends the workers and rejects their requests with CANCELLED; the next request starts afresh. */
export function cancelLayouts(): void {
  // ELK cannot be interrupted from inside.
  for (const kind of ['elk', 'fast'] as const) {
    workers[kind]?.terminate();
    workers[kind] = null;
  }
  elkWarm = false;
  holder = 'elk';
  rejectAll(CANCELLED);
  progress.hidden = true;
}
