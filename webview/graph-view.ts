// Entry point of the graph view page: toolbar, zoom/pan, search, path highlight, node details,
// group expand/collapse and exports. Layout runs in a worker started from a Blob.
import workerSource from 'layout-worker-source';
import { toDot } from '../src/graph/dot';
import { isGroupId } from '../src/graph/groups';
import {
  LITE_SCALE,
  WINDOW_MIN_ITEMS,
  itemsIn,
  joinSvg,
  type Region,
  type SvgItem,
  type SvgParts,
} from '../src/graph/svg';
import { formatShape, formatValues } from '../src/graph/labels';
import type { GraphNode, GraphSnapshot, TensorSummary } from '../src/protocol/messages';
import { epochMs, type FromWorker, type GroupInfo, type ToWorker } from './layout-messages';
import {
  gzipJson,
  isToWebview,
  readGzipJson,
  type ExportFormat,
  type GraphPayload,
  type ToWebview,
  type WorkerTimes,
} from './messages';
import { layoutText } from './paint-report';
import { vscode, type ViewState } from './vscode-api';

/** Layouts quicker than this never show the progress bar (no flicker on small graphs). */
const PROGRESS_DELAY_MS = 150;

const app = document.getElementById('app')!;
let state: ViewState = vscode.getState() ?? { payload: null, collapsed: [], search: '' };

// ---- page skeleton -----------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

const title = el('h1', { id: 'graph-title' });
const search = el('input', {
  id: 'search',
  type: 'search',
  placeholder: 'Search names…',
  title: 'Search node names (Enter: go to next match)',
});
const matches = el('span', { id: 'matches', className: 'muted' });
const pick = el('button', {
  id: 'pick',
  textContent: 'backward() …',
  title: 'Choose another captured backward()',
});
const btn = (id: string, text: string, tip: string): HTMLButtonElement =>
  el('button', { id, textContent: text, title: tip });
const zoomIn = btn('zoom-in', '+', 'Zoom in');
const zoomOut = btn('zoom-out', '−', 'Zoom out');
const fitBtn = btn('fit', 'Fit', 'Fit the graph to the view');
const exportSvg = btn('export-svg', 'SVG', 'Export as SVG');
const exportPng = btn('export-png', 'PNG', 'Export as PNG');
const exportDot = btn('export-dot', 'DOT', 'Export as Graphviz DOT');
const toolbar = el(
  'div',
  { id: 'toolbar' },
  title,
  el('span', { className: 'spacer' }),
  search,
  matches,
  pick,
  zoomOut,
  zoomIn,
  fitBtn,
  el('span', { className: 'muted', textContent: 'Export' }),
  exportSvg,
  exportPng,
  exportDot,
);
const progressBar = el('div', { id: 'progress-bar' });
const progressText = el('span', { id: 'progress-text' });
const cancelLayout = btn('cancel-layout', 'Cancel', 'Stop this layout');
const progress = el(
  'div',
  { id: 'progress', hidden: true },
  progressText,
  el('div', { id: 'progress-track' }, progressBar),
  cancelLayout,
);
const lightText = el('span', { id: 'light-text' });
const captureFull = btn(
  'capture-full',
  'Capture in full',
  'Run the script again, capturing this backward() with every value and gradient',
);
const lightNote = el('div', { id: 'light-note', hidden: true }, lightText, captureFull);
const canvas = el('div', { id: 'canvas' });
/** What the box colours mean; the colours come from the theme (media/graph-view.css). */
const legend = el(
  'div',
  { id: 'legend', title: 'Box colours' },
  ...(
    [
      ['gl-leaf', 'leaf'],
      ['gl-function', 'function'],
      ['gl-output', 'output'],
      ['gl-flagged', 'NaN/Inf'],
    ] as const
  ).map(([cls, label]) => el('span', {}, el('i', { className: `gl-swatch ${cls}` }), label)),
);
const view = el('div', { id: 'view' }, canvas, legend);
const details = el('div', { id: 'details', hidden: true });
const status = el('div', { id: 'status', className: 'muted' });

// ---- layout worker -----------------------------------------------------------------------

let worker: Worker | null = null;
let seq = 0;
const waiting = new Map<
  number,
  { resolve(m: Result): void; reject(e: Error): void; started: number }
>();
let progressTimer: ReturnType<typeof setTimeout> | null = null;

function startWorker(): Worker {
  const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  w.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    const wait = waiting.get(m.seq);
    if (wait === undefined) return;
    if (m.type === 'progress') {
      progressText.textContent = `Laying out (${m.phase})…`;
      progressBar.style.width = `${Math.round(m.fraction * 100)}%`;
      return;
    }
    waiting.delete(m.seq);
    if (m.type === 'error') wait.reject(new Error(m.message));
    else wait.resolve(m);
  };
  w.onerror = (e) => {
    for (const [, wait] of waiting) wait.reject(new Error(`layout worker failed: ${e.message}`));
    waiting.clear();
  };
  return w;
}

type Request = ToWorker extends infer T ? (T extends ToWorker ? Omit<T, 'seq'> : never) : never;
type Result = Extract<FromWorker, { type: 'result' }>;

/** Sends one request; shows progress when it takes longer than PROGRESS_DELAY_MS. */
function layout(m: Request): Promise<Result> {
  worker ??= startWorker();
  const id = ++seq;
  const w = worker;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject, started: performance.now() });
    if (progressTimer !== null) clearTimeout(progressTimer);
    progressTimer = setTimeout(() => {
      if (!waiting.has(id)) return;
      progress.hidden = false;
      if (!progressText.textContent) progressText.textContent = 'Laying out…';
    }, PROGRESS_DELAY_MS);
    w.postMessage({ ...m, seq: id } as ToWorker);
  }).finally(() => {
    if (waiting.size === 0) {
      progress.hidden = true;
      progressText.textContent = '';
      progressBar.style.width = '0';
    }
  }) as Promise<Result>;
}

cancelLayout.addEventListener('click', () => {
  // ELK cannot be interrupted from inside: end the worker, start afresh on the next request.
  worker?.terminate();
  worker = null;
  for (const [, wait] of waiting) wait.reject(new Error('layout cancelled'));
  waiting.clear();
  opened = false;
  progress.hidden = true;
  app.dataset.state = 'cancelled';
  showMessage('Layout cancelled.', 'Lay out again', () => void openGraph(null));
});

// ---- current graph -----------------------------------------------------------------------

let snapshot: GraphSnapshot | null = null;
/** The same snapshot gzipped, for the layout worker (see ToWorker 'open'). */
let snapshotGzip: Uint8Array | null = null;
let byId = new Map<string, GraphNode>();
let groups = new Map<string, GroupInfo>();
let groupOf: Readonly<Record<string, string>> = {};
let expanded = new Set<string>();
/** The current drawing in pieces; null before the first graph. */
let parts: SvgParts | null = null;
/** The node whose details are shown (kept marked when the page is redrawn). */
let selectedId: string | null = null;
let opened = false;
/** Forward edges of what is on screen (data flow: input -> consumer -> ... -> output). */
let forward = new Map<string, string[]>();
let edgeEls: SVGPathElement[] = [];

function showMessage(text: string, action?: string, onAction?: () => void): void {
  canvas.replaceChildren();
  const p = el('p', { className: 'empty', textContent: text });
  if (action !== undefined && onAction !== undefined) {
    const b = el('button', { textContent: action });
    b.addEventListener('click', onAction);
    p.append(' ', b);
  }
  canvas.append(p);
}

/**
 * Graphs above this many nodes stay out of the saved state. VS Code serialises the whole state
 * at every setState (each search keystroke, expand and collapse), which for a 10,000-node
 * snapshot (about 7 MB) cost over a second each time; after a reload such a graph is gone
 * and the view says so.
 */
const KEEP_MAX_NODES = 2000;

function saveState(): void {
  const p = state.payload;
  const keep = p === null || (p.snapshot as GraphSnapshot).nodes.length <= KEEP_MAX_NODES;
  vscode.setState(keep ? state : { ...state, payload: null, dropped: p.title });
}

/** A graph just sent by the host (not one restored from the page's saved state). */
interface Delivery {
  /** The snapshot as the host sent it. */
  gzip: Uint8Array;
  /** Its layout, which the worker began on arrival. */
  opening: Promise<Result>;
  /** When the message arrived and how long the page took to read it (for PaintPhases). */
  arrivedAt: number;
  readMs: number;
}

/** Shows a graph: one just delivered, or (null) one from the saved state. */
function render(payload: GraphPayload, delivery: Delivery | null): void {
  if (!title.isConnected) app.replaceChildren(toolbar, lightNote, progress, view, details, status);
  title.textContent = payload.title;
  title.title = payload.file;
  delete app.dataset.commandToPaintMs;
  pick.hidden = payload.count <= 1;
  pick.textContent = `backward() ${payload.index + 1} of ${payload.count} …`;
  snapshot = payload.snapshot as GraphSnapshot;
  showLightNote(payload, snapshot);
  snapshotGzip = delivery?.gzip ?? null;
  byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
  // Node ids repeat from graph to graph (n1, n2…): a selection belongs to the graph it was made in.
  selectedId = null;
  details.hidden = true;
  search.value = state.search;
  void openGraph(delivery);
}

/** What the drawing's header calls the graph: a debug stop is no backward() call. */
function headerOf(payload: Pick<GraphPayload, 'source'>): string | undefined {
  // Graphs saved by an earlier version have no source.
  return payload.source?.kind === 'debug'
    ? `tensors in scope at debug stop ${payload.source.stop} (no backward() involved)`
    : undefined;
}

/**
 * A light capture (a training loop's last backward(), rebuilt at the end from an earlier
 * full capture's structure) lacks what the user clicks nodes for: say so, and offer the
 * full capture, which runs the script again and captures that call with the hooks on.
 */
function showLightNote(payload: GraphPayload, s: GraphSnapshot): void {
  const source = payload.source;
  lightNote.hidden = !(source?.kind === 'run' && s.detail === 'light');
  if (lightNote.hidden || source?.kind !== 'run') return;
  lightText.textContent =
    `Light capture: backward() #${source.backward} shows the graph's structure and the leaves with their .grad, ` +
    'but no values or gradients of intermediate results. ';
  captureFull.disabled = false;
  captureFull.textContent = 'Capture in full';
  captureFull.onclick = () => {
    captureFull.disabled = true;
    captureFull.textContent = 'Running…';
    vscode.postMessage({ type: 'captureFull', file: payload.file, backward: source.backward });
  };
}

/** A run of `file` gave no graph: why, with the output and another run one click away. */
function showFailure(file: string, message: string): void {
  shows++; // a graph still being read must not replace this
  state = { payload: null, collapsed: [], search: state.search };
  saveState();
  snapshot = null;
  parts = null;
  opened = false;
  selectedId = null;
  app.dataset.state = 'failed';
  const output = btn(
    'show-output',
    'Show Output',
    "Open the Gradlens output with the script's messages",
  );
  output.addEventListener('click', () => vscode.postMessage({ type: 'showOutput' }));
  const rerun = btn('rerun', 'Re-run', `Run ${file} again`);
  rerun.addEventListener('click', () => {
    rerun.disabled = true;
    vscode.postMessage({ type: 'rerun', file });
  });
  app.replaceChildren(
    el(
      'div',
      { id: 'failure' },
      el('p', { id: 'failure-message', textContent: message }),
      el('p', {}, output, ' ', rerun),
    ),
  );
}

/** Lays out and draws the current graph; with its delivery, also reports the command-to-paint time. */
async function openGraph(delivery: Delivery | null): Promise<void> {
  if (snapshot === null || state.payload === null) return;
  const payload = state.payload;
  const layoutFrom = Date.now();
  app.dataset.state = 'layout';
  showMessage('Laying out…');
  try {
    const r = await (delivery?.opening ??
      layout({
        op: 'open',
        snapshotGzip: (snapshotGzip ??= await gzipJson(snapshot)),
        header: headerOf(payload),
        postedAt: epochMs(),
      }));
    if (state.payload !== payload) return;
    groups = new Map((r.groups ?? []).map((g) => [g.id, g]));
    groupOf = r.groupOf ?? {};
    opened = true;
    // Restore the user's collapses of the groups open by default (after a reload).
    let last = r;
    for (const g of state.collapsed) {
      if (groups.has(g) && last.expanded.includes(g))
        last = await layout({ op: 'collapse', group: g });
    }
    const laidOut = Date.now();
    const worker = last === r ? (r.times ?? null) : null;
    paint(last, true, worker);
    await nextPaint();
    const paintedAt = Date.now();
    app.dataset.state = 'painted';
    // Counts fresh graphs on screen, so tests can wait for the next one.
    app.dataset.paints = String(Number(app.dataset.paints ?? '0') + 1);
    const { requestedAt, sentAt } = payload;
    const commandToPaintMs =
      delivery !== null && requestedAt !== undefined ? paintedAt - requestedAt : null;
    if (commandToPaintMs !== null) app.dataset.commandToPaintMs = String(commandToPaintMs);
    const phases =
      delivery !== null && requestedAt !== undefined && sentAt !== undefined
        ? {
            run: sentAt - requestedAt,
            send: delivery.arrivedAt - sentAt,
            read: delivery.readMs,
            layout: laidOut - layoutFrom,
            paint: paintedAt - laidOut,
          }
        : null;
    vscode.postMessage({
      type: 'painted',
      nodes: last.boxes,
      engine: last.engine,
      layoutMs: last.ms,
      worker,
      commandToPaintMs,
      phases,
    });
  } catch (e) {
    if ((e as Error).message === 'layout cancelled') return;
    app.dataset.state = 'error';
    showMessage(`Could not lay out this graph: ${(e as Error).message}`);
    vscode.postMessage({ type: 'error', message: (e as Error).message });
  }
}

function nextPaint(): Promise<void> {
  return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
}

/** `worker`: for a graph just opened, what the layout worker spent before its layout. */
function paint(r: Result, fitAfter: boolean, worker: WorkerTimes | null = null): void {
  parts = r.parts;
  expanded = new Set(r.expanded);
  forward = new Map();
  for (const it of parts.items) {
    if (it.kind !== 'edge') continue;
    const [from, to] = edgeEnds(it.id);
    if (from === null) continue;
    let list = forward.get(from);
    if (list === undefined) forward.set(from, (list = []));
    list.push(to!);
  }
  status.textContent =
    `${r.boxes} boxes · ${layoutText(r.engine, r.ms, worker)}` +
    (parts.items.some((it) => it.kind === 'node' && isGroupId(it.id))
      ? ' · click a dashed box to expand it'
      : '');
  drawn = null;
  if (fitAfter) fit();
  else applyTransform();
  drawWindow();
}

// ---- drawing what is near the viewport ---------------------------------------------------

/** The region of the layout now in the page (null: nothing yet), and whether it was drawn lite. */
let drawn: { x0: number; y0: number; x1: number; y1: number; lite: boolean } | null = null;
let redraw = 0;

/** What the viewport shows, in layout coordinates. */
function viewportRegion(): Region {
  const p = parts!;
  const x0 = -tx / scale - p.originX;
  const y0 = -ty / scale - p.originY;
  return { x0, y0, x1: x0 + view.clientWidth / scale, y1: y0 + view.clientHeight / scale };
}

/** Puts the elements near the viewport into the page (all of them for smaller drawings). */
function drawWindow(): void {
  const p = parts;
  if (p === null) return;
  if (p.items.length <= WINDOW_MIN_ITEMS) {
    if (drawn === null) canvas.innerHTML = joinSvg(p);
    drawn = { x0: -Infinity, y0: -Infinity, x1: Infinity, y1: Infinity, lite: false };
  } else {
    // A margin of one viewport on every side: panning redraws only every screenful.
    const v = viewportRegion();
    const w = v.x1 - v.x0;
    const h = v.y1 - v.y0;
    const r = { x0: v.x0 - w, y0: v.y0 - h, x1: v.x1 + w, y1: v.y1 + h, lite: scale < LITE_SCALE };
    canvas.innerHTML = joinSvg(p, itemsIn(p, r), r.lite);
    drawn = r;
  }
  edgeEls = [...canvas.querySelectorAll<SVGPathElement>('path.gl-edge')];
  applySearch();
  if (selectedId !== null)
    canvas
      .querySelector(`g.gl-node[data-id="${CSS.escape(selectedId)}"]`)
      ?.classList.add('gl-selected');
}

/** After a pan or zoom: redraw once the viewport leaves what was drawn, or the zoom crosses LITE_SCALE. */
function scheduleWindow(): void {
  if (parts === null || drawn === null || parts.items.length <= WINDOW_MIN_ITEMS) return;
  const v = viewportRegion();
  const inside = v.x0 >= drawn.x0 && v.y0 >= drawn.y0 && v.x1 <= drawn.x1 && v.y1 <= drawn.y1;
  if (inside && drawn.lite === scale < LITE_SCALE) return;
  cancelAnimationFrame(redraw);
  redraw = requestAnimationFrame(drawWindow);
}

/** Where a drawn item is on screen, in client pixels, whether or not it is in the page. */
function itemRect(it: SvgItem): { left: number; top: number; width: number; height: number } {
  const vr = view.getBoundingClientRect();
  const p = parts!;
  return {
    left: vr.left + tx + (p.originX + it.x) * scale,
    top: vr.top + ty + (p.originY + it.y) * scale,
    width: it.w * scale,
    height: it.h * scale,
  };
}

function edgeEnds(id: string): [string | null, string | null] {
  const i = id.indexOf('->');
  if (i < 0) return [null, null];
  const to = id.slice(i + 2);
  const hash = to.indexOf('#');
  return [id.slice(0, i), hash < 0 ? to : to.slice(0, hash)];
}

// ---- zoom and pan ------------------------------------------------------------------------

let scale = 1;
let tx = 0;
let ty = 0;

function applyTransform(): void {
  canvas.style.transform = `translate(${tx}px, ${ty}px) scale(${scale})`;
  scheduleWindow();
}

function svgSize(): { w: number; h: number } | null {
  return parts === null ? null : { w: parts.width, h: parts.height };
}

function fit(): void {
  const s = svgSize();
  if (s === null) return;
  scale = Math.min(1.5, (view.clientWidth - 16) / s.w, (view.clientHeight - 16) / s.h);
  if (!Number.isFinite(scale) || scale <= 0) scale = 1;
  tx = Math.max(8, (view.clientWidth - s.w * scale) / 2);
  ty = 8;
  applyTransform();
}

function zoomAt(factor: number, x = view.clientWidth / 2, y = view.clientHeight / 2): void {
  const next = Math.min(8, Math.max(0.02, scale * factor));
  const f = next / scale;
  tx = x - (x - tx) * f;
  ty = y - (y - ty) * f;
  scale = next;
  applyTransform();
}

view.addEventListener(
  'wheel',
  (e) => {
    e.preventDefault();
    const r = view.getBoundingClientRect();
    if (e.ctrlKey || e.metaKey || !e.shiftKey)
      zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  },
  { passive: false },
);

let drag: { x: number; y: number; moved: boolean } | null = null;
view.addEventListener('mousedown', (e) => {
  if (e.button !== 0) return;
  drag = { x: e.clientX - tx, y: e.clientY - ty, moved: false };
  view.classList.add('dragging');
});
window.addEventListener('mousemove', (e) => {
  if (drag === null) return;
  if (Math.abs(e.clientX - drag.x - tx) + Math.abs(e.clientY - drag.y - ty) > 3) drag.moved = true;
  tx = e.clientX - drag.x;
  ty = e.clientY - drag.y;
  applyTransform();
});
window.addEventListener('mouseup', () => {
  view.classList.remove('dragging');
  setTimeout(() => {
    drag = null;
  }, 0);
});
window.addEventListener('resize', () => {
  if (opened) fit();
});
zoomIn.addEventListener('click', () => zoomAt(1.25));
zoomOut.addEventListener('click', () => zoomAt(0.8));
fitBtn.addEventListener('click', fit);
pick.addEventListener('click', () => vscode.postMessage({ type: 'pickBackward' }));

// ---- search ------------------------------------------------------------------------------

let matchIndex = -1;

function nodeEls(): SVGGElement[] {
  return [...canvas.querySelectorAll<SVGGElement>('g.gl-node')];
}

/** The node boxes of the drawing that match the search text `q` (lower case), in drawing order. */
function searchHits(q: string): SvgItem[] {
  if (q === '' || parts === null) return [];
  if (hitCache?.q === q && hitCache.parts === parts) return hitCache.hits;
  const hits = parts.items.filter(
    (it) =>
      it.kind === 'node' &&
      `${it.name ?? ''} ${byId.get(it.id)?.modulePath.join(' ') ?? ''}`.toLowerCase().includes(q),
  );
  hitCache = { q, parts, hits };
  return hits;
}
let hitCache: { q: string; parts: SvgParts; hits: SvgItem[] } | null = null;

/** Marks the matches among the boxes in the page and counts all of them. */
function applySearch(): void {
  const q = search.value.trim().toLowerCase();
  const hits = searchHits(q);
  const ids = new Set(hits.map((it) => it.id));
  for (const g of nodeEls()) {
    const hit = ids.has(g.dataset.id ?? '');
    g.classList.toggle('gl-match', hit);
    g.classList.toggle('gl-dim', q !== '' && !hit);
  }
  matches.textContent = q === '' ? '' : `${hits.length} match${hits.length === 1 ? '' : 'es'}`;
}

search.addEventListener('input', () => {
  state = { ...state, search: search.value };
  saveState();
  matchIndex = -1;
  applySearch();
});
search.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter') return;
  const hits = searchHits(search.value.trim().toLowerCase());
  if (hits.length === 0) return;
  matchIndex = (matchIndex + 1) % hits.length;
  centerOn(hits[matchIndex]);
});

function centerOn(it: SvgItem): void {
  const vr = view.getBoundingClientRect();
  const r = itemRect(it);
  tx += vr.left + vr.width / 2 - (r.left + r.width / 2);
  ty += vr.top + vr.height / 2 - (r.top + r.height / 2);
  applyTransform();
}

// ---- hover: the path to the output -------------------------------------------------------

function highlightPath(from: string | null): void {
  const on = new Set<string>();
  if (from !== null) {
    const stack = [from];
    while (stack.length) {
      const id = stack.pop()!;
      if (on.has(id)) continue;
      on.add(id);
      for (const t of forward.get(id) ?? []) stack.push(t);
    }
  }
  canvas.classList.toggle('gl-pathing', from !== null);
  for (const g of nodeEls()) g.classList.toggle('gl-path', on.has(g.dataset.id ?? ''));
  for (const e of edgeEls) {
    const [a, b] = edgeEnds(e.dataset.id ?? '');
    e.classList.toggle('gl-path', a !== null && on.has(a) && on.has(b!));
  }
}

canvas.addEventListener('mouseover', (e) => {
  const g = (e.target as Element).closest<SVGGElement>('g.gl-node');
  highlightPath(g?.dataset.id ?? null);
});
canvas.addEventListener('mouseleave', () => highlightPath(null));

// ---- click: details, reveal, expand ------------------------------------------------------

canvas.addEventListener('click', (e) => {
  if (drag?.moved) return;
  const g = (e.target as Element).closest<SVGGElement>('g.gl-node, g.gl-proxy');
  for (const s of canvas.querySelectorAll('.gl-selected')) s.classList.remove('gl-selected');
  selectedId = null;
  if (g === null) {
    details.hidden = true;
    return;
  }
  const id = g.classList.contains('gl-proxy') ? (g.dataset.of ?? '') : (g.dataset.id ?? '');
  if (g.classList.contains('gl-group')) {
    void toggleGroup(id, 'expand');
    return;
  }
  const target = canvas.querySelector<SVGGElement>(`g.gl-node[data-id="${CSS.escape(id)}"]`);
  target?.classList.add('gl-selected');
  selectedId = id;
  const n = byId.get(id);
  if (n === undefined) return;
  showDetails(n);
  if (n.location !== null)
    vscode.postMessage({
      type: 'reveal',
      file: n.location.file,
      line: n.location.line,
      column: n.location.column,
    });
});

async function toggleGroup(group: string, op: 'expand' | 'collapse'): Promise<void> {
  if (!opened) return;
  try {
    const started = performance.now();
    // Where the group is on screen now: its box, or the nodes it holds.
    const before = op === 'expand' ? boxRect(group) : membersRect(group);
    const r = await layout({ op, group });
    const collapsed = new Set(state.collapsed);
    if (op === 'collapse') collapsed.add(group);
    else collapsed.delete(group);
    state = { ...state, collapsed: [...collapsed] };
    saveState();
    paint(r, false);
    // An in-place step keeps every position, so zoom and pan stay as they are. A full layout
    // (the box found no room) moves everything: pan so the group stays where it was on screen.
    if (r.engine !== 'incremental' && r.engine !== 'restored' && before !== null) {
      const after = op === 'expand' ? membersRect(group) : boxRect(group);
      if (after !== null) {
        tx += before.left - after.left;
        ty += before.top - after.top;
        applyTransform();
      }
    }
    details.hidden = true;
    // Click to pixels on screen, for tests and the bench to report (the box count changes
    // before the browser has drawn the new picture).
    await nextPaint();
    app.dataset.toggleMs = String(Math.round(performance.now() - started));
    app.dataset.toggles = String(Number(app.dataset.toggles ?? '0') + 1);
  } catch (e) {
    if ((e as Error).message !== 'layout cancelled')
      vscode.postMessage({ type: 'error', message: (e as Error).message });
  }
}

/** Whether a node or group id lies (at any depth) inside `group`. */
function isInside(id: string, group: string): boolean {
  for (
    let g: string | null | undefined = groups.has(id) ? groups.get(id)!.parent : groupOf[id];
    g != null;
    g = groups.get(g)?.parent
  )
    if (g === group) return true;
  return false;
}

function boxRect(group: string): { left: number; top: number } | null {
  const it = parts?.items.find((i) => i.kind === 'node' && i.id === group);
  return it === undefined ? null : itemRect(it);
}

/** The screen rectangle around the group's nodes (and groups inside it) that are shown. */
function membersRect(group: string): { left: number; top: number } | null {
  let left = Infinity;
  let top = Infinity;
  for (const it of parts?.items ?? []) {
    if (it.kind !== 'node' || !isInside(it.id, group)) continue;
    const r = itemRect(it);
    left = Math.min(left, r.left);
    top = Math.min(top, r.top);
  }
  return left === Infinity ? null : { left, top };
}

function summaryRows(label: string, t: TensorSummary | null): [string, string][] {
  if (t === null) return [[label, 'None']];
  return [
    [label, formatValues(t) || '(empty)'],
    [`${label} shape`, `${formatShape(t)} ${t.dtype}`],
  ];
}

function showDetails(n: GraphNode): void {
  const rows: [string, string][] = [['kind', n.kind === 'accumulate' ? 'AccumulateGrad' : n.kind]];
  if (n.value !== null) rows.push(['shape', formatShape(n.value)], ['dtype', n.value.dtype]);
  rows.push(...summaryRows('value', n.value).slice(0, 1));
  rows.push(...summaryRows(n.kind === 'leaf' ? '.grad' : 'gradient', n.grad).slice(0, 1));
  if (n.kind === 'function' || n.kind === 'accumulate') {
    rows.push([
      'nextFunctions',
      n.next
        .map((e) => (e === null ? 'None' : `${byId.get(e.id)?.name ?? e.id}[${e.inputNr}]`))
        .join(', ') || '()',
    ]);
  }
  if (n.kind === 'output' || n.kind === 'leaf') {
    const fn = n.attachedTo === null ? undefined : byId.get(n.attachedTo);
    if (fn !== undefined && n.kind === 'output') rows.push(['gradFn', fn.name]);
  }
  const saved = snapshot?.nodes.filter((s) => s.kind === 'saved' && s.attachedTo === n.id) ?? [];
  if (saved.length > 0)
    rows.push([
      'saved tensors',
      saved
        .map(
          (s) =>
            `${s.name}: ${s.value === null ? '?' : `${formatShape(s.value)} ${formatValues(s.value)}`}`,
        )
        .join('\n'),
    ]);
  if (n.modulePath.length) rows.push(['module', n.modulePath.join(' › ')]);
  if (n.location !== null)
    rows.push([
      'source',
      `${n.location.file.split(/[\\/]/).pop()}:${n.location.line}:${n.location.column}`,
    ]);
  const table = el('table');
  for (const [k, v] of rows)
    table.append(el('tr', {}, el('th', { textContent: k }), el('td', { textContent: v })));
  const head = el(
    'div',
    { className: 'details-head' },
    el('b', { textContent: n.kind === 'accumulate' ? 'AccumulateGrad' : n.name }),
  );
  const close = el('button', { textContent: '×', title: 'Close' });
  close.addEventListener('click', () => {
    details.hidden = true;
  });
  head.append(close);
  details.replaceChildren(head, table);
  if (n.location !== null) {
    const reveal = el('button', { textContent: 'Reveal in editor' });
    const loc = n.location;
    reveal.addEventListener('click', () =>
      vscode.postMessage({ type: 'reveal', file: loc.file, line: loc.line, column: loc.column }),
    );
    details.append(reveal);
  }
  // The groups around the node that are open can be folded again.
  for (
    let g: string | undefined = groupOf[n.id];
    g !== undefined;
    g = groups.get(g)?.parent ?? undefined
  ) {
    const group = g;
    if (!expanded.has(group)) continue;
    const info = groups.get(group)!;
    const b = el('button', { textContent: `Collapse ${info.name}`, className: 'collapse-group' });
    b.dataset.group = group;
    b.addEventListener('click', () => void toggleGroup(group, 'collapse'));
    details.append(b);
  }
  details.hidden = false;
}

// ---- export ------------------------------------------------------------------------------

async function exportAs(format: ExportFormat): Promise<void> {
  if (snapshot === null || parts === null) return;
  const svgText = joinSvg(parts);
  let data: string;
  if (format === 'svg') data = svgText;
  else if (format === 'dot') data = toDot(snapshot);
  else data = await svgToPng(svgText);
  vscode.postMessage({ type: 'export', format, data });
}

function svgToPng(svg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      // 2x for a sharp picture, capped so huge graphs stay within canvas limits.
      const k = Math.min(2, 16384 / Math.max(img.width, img.height));
      const c = document.createElement('canvas');
      c.width = Math.max(1, Math.round(img.width * k));
      c.height = Math.max(1, Math.round(img.height * k));
      const ctx = c.getContext('2d')!;
      ctx.scale(k, k);
      ctx.drawImage(img, 0, 0);
      resolve(c.toDataURL('image/png'));
    };
    img.onerror = () => reject(new Error('could not draw the SVG for PNG export'));
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  });
}

exportSvg.addEventListener('click', () => void exportAs('svg'));
exportPng.addEventListener('click', () => void exportAs('png'));
exportDot.addEventListener('click', () => void exportAs('dot'));

// ---- messages from the host --------------------------------------------------------------

/** Counts graph/show messages: reading one is asynchronous, and only the newest is shown. */
let shows = 0;

async function onMessage(m: ToWebview): Promise<void> {
  switch (m.type) {
    case 'graph/show': {
      const seq = ++shows;
      const arrivedAt = Date.now();
      // The worker reads and lays out its own copy while the page reads this one.
      const opening = layout({
        op: 'open',
        snapshotGzip: m.snapshotGzip,
        header: headerOf(m.payload),
        postedAt: epochMs(),
      });
      opening.catch(() => undefined); // awaited in openGraph, unless reading fails here first
      let snapshot: unknown;
      try {
        snapshot = await readGzipJson(m.snapshotGzip);
      } catch (e) {
        showMessage(`Could not read the graph from the extension: ${(e as Error).message}`);
        vscode.postMessage({ type: 'error', message: `unreadable graph: ${(e as Error).message}` });
        return;
      }
      if (seq !== shows) return;
      const payload: GraphPayload = { ...m.payload, snapshot };
      state = { payload, collapsed: [], search: state.search };
      saveState();
      render(payload, { gzip: m.snapshotGzip, opening, arrivedAt, readMs: Date.now() - arrivedAt });
      return;
    }
    case 'graph/running':
      // With no graph on screen (first run, or after a failure) the whole view says so.
      if (title.isConnected) status.textContent = `Running ${m.file}…`;
      else app.replaceChildren(el('p', { className: 'empty', textContent: `Running ${m.file}…` }));
      return;
    case 'graph/failed':
      showFailure(m.file, m.message);
      return;
    case 'export/request':
      void exportAs(m.format);
      return;
  }
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  if (isToWebview(e.data)) void onMessage(e.data);
});
if (state.payload !== null) render(state.payload, null);
else if (state.dropped !== undefined) {
  app.replaceChildren(
    el('p', {
      className: 'empty',
      textContent: `"${state.dropped}" was too large to keep across a reload: run Gradlens: Visualize Graph again to see it.`,
    }),
  );
}
// Start the layout worker now: parsing ELK takes a moment, and the view usually opens while
// the script is still running, so the first graph finds the worker ready.
worker ??= startWorker();
vscode.postMessage({ type: 'ready', restoredGraph: state.payload !== null });
