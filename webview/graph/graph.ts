// The graph on screen: taking a graph from the host (or the saved state), laying it out,
// drawing it and reporting the paint; a failed run or a cancelled layout in its place.
import { fileNameOf } from '../../src/protocol/file-name';
import type { GraphSnapshot } from '../../src/protocol/messages';
import {
  gzipJson,
  readGzipJson,
  runningText,
  type PaintPhases,
  type RestoredGraph,
  type WorkerTimes,
} from '../../src/protocol/graph-view';
import {
  announce,
  app,
  btn,
  captureFull,
  el,
  lightNote,
  lightText,
  pick,
  search,
  showMessage,
  showSkeleton,
  title,
} from './dom';
import { fitToolbar } from './toolbar';
import { hideDetails } from './details';
import { epochMs, type Membership } from './layout-messages';
import {
  CANCELLED,
  adoptElkView,
  cancelLayouts,
  layout,
  requestsSent,
  startElkWorker,
  type LayoutRequest,
  type LayoutResult,
} from './layout-client';
import { remark } from './marks';
import { revealPending } from './select';
import { save, state, vscode, type KeptPayload } from './state';
import { resetStepping } from './step';
import { resetGradcheck } from './gradcheck';
import { nextPaint } from './timing';
import { paint } from './viewport';

/** A graph just sent by the host (not one restored from the page's saved state). */
export interface Delivery {
  /** The snapshot as the host sent it: the page reads it once the graph is drawn. */
  gzip: Uint8Array;
  /** Its layout, which the worker began on arrival. */
  opening: Promise<LayoutResult>;
  /** When the message arrived (for PaintPhases). */
  arrivedAt: number;
}

/**
 * Shows a graph: one from the saved state (`delivery` null), or one just delivered, whose
 * payload holds no snapshot yet: the page reads it once the worker's drawing is painted.
 */
export function render(payload: KeptPayload, delivery: Delivery | null): void {
  showSkeleton();
  title.textContent = payload.title;
  title.title = payload.file;
  delete app.dataset.commandToPaintMs;
  pick.hidden = payload.count <= 1;
  pick.textContent =
    payload.pickLabel ?? `backward() ${String(payload.index + 1)} of ${String(payload.count)} …`;
  fitToolbar();
  // A delivered graph is kept by VS Code once read (see readDelivered); the page holds it meanwhile.
  if (delivery !== null) state.saved = { payload, collapsed: [], search: state.saved.search };
  adoptSnapshot(delivery === null ? (payload.snapshot as GraphSnapshot) : null, payload);
  state.snapshotGzip = delivery?.gzip ?? null;
  state.reading = null;
  // Node ids repeat from graph to graph (n1, n2…): a selection belongs to the graph it was made in.
  state.selected = [];
  state.opened = false;
  hideDetails();
  search.value = state.saved.search;
  void openGraph(delivery);
}

/** The page's copy of the graph shown (null while a delivered one is still unread). */
function adoptSnapshot(snapshot: GraphSnapshot | null, payload: KeptPayload): void {
  state.snapshot = snapshot;
  state.byId = new Map(snapshot?.nodes.map((n) => [n.id, n]));
  resetStepping();
  resetGradcheck();
  showLightNote(payload, snapshot);
}

/**
 * The page's own read of a delivered graph, after its first paint: details, search, stepping
 * and the saved state need it; the drawing does not. False when it failed or a newer graph
 * came meanwhile.
 */
async function readDelivered(payload: KeptPayload, gzip: Uint8Array): Promise<boolean> {
  let snapshot: unknown;
  try {
    snapshot = await readGzipJson(gzip);
  } catch (e) {
    if (state.saved.payload !== payload) return false;
    showMessage(`Could not read the graph from the extension: ${(e as Error).message}`);
    vscode.postMessage({ type: 'error', message: `unreadable graph: ${(e as Error).message}` });
    return false;
  }
  if (state.saved.payload !== payload) return false;
  // The same payload object, so that what waits on this graph (settle) still knows it.
  (payload as { snapshot: unknown }).snapshot = snapshot;
  save(state.saved);
  adoptSnapshot(snapshot as GraphSnapshot, payload);
  return true;
}

/** A graph restored from the saved state, as the host needs it for Reveal in Graph after a reload. */
export function restoredGraph(payload: KeptPayload): RestoredGraph {
  const nodes = (payload.snapshot as GraphSnapshot).nodes.flatMap((n) =>
    n.location === null || n.kind === 'saved'
      ? []
      : [{ id: n.id, file: n.location.file, line: n.location.line }],
  );
  return { file: payload.file, title: payload.title, nodes };
}

/** The layout worker's request to open the graph of `payload` from its gzipped snapshot. */
export function openRequest(
  snapshotGzip: Uint8Array,
  payload: Pick<KeptPayload, 'source' | 'direction'>,
): LayoutRequest {
  return {
    op: 'open',
    snapshotGzip,
    header: headerOf(payload),
    direction: payload.direction,
    postedAt: epochMs(),
  };
}

/** What the drawing's header calls the graph: a debug stop or a capture point is no backward() call. */
function headerOf(payload: Pick<KeptPayload, 'source'>): string | undefined {
  const source = payload.source;
  if (source?.kind === 'debug')
    return `tensors in scope at debug stop ${String(source.stop)} (no backward() involved)`;
  if (source?.kind === 'stop')
    return `tensors in scope at ${fileNameOf(source.file)}:${String(source.line)} (hit ${String(source.hit)}), before the line ran`;
  return undefined;
}

/**
 * A light capture (a training loop's last backward(), rebuilt at the end from an earlier
 * full capture's structure) lacks what the user clicks nodes for: say so, and offer the
 * full capture, which runs the script again and captures that call with the hooks on.
 */
/** Which loops the Python tracer foresees the last step of; the TypeScript runner foresees none. */
function foreseen(file: string): string {
  return /\.(py|ipynb)$/i.test(file)
    ? ' (it can for loops over range(...) with one backward() a pass)'
    : '';
}

function showLightNote(payload: KeptPayload, s: GraphSnapshot | null): void {
  const source = payload.source;
  lightNote.hidden = !(source?.kind === 'run' && s?.detail === 'light');
  if (lightNote.hidden || source?.kind !== 'run') return;
  lightText.textContent =
    `Light capture: backward() #${String(source.backward)} shows the graph's structure and the leaves with their .grad, ` +
    'but no values or gradients of intermediate results and no backward flow to step through: ' +
    `the run could not foresee that this step would be its last${foreseen(payload.file)}. `;
  captureFull.disabled = false;
  captureFull.textContent = 'Capture in full';
  captureFull.onclick = () => {
    captureFull.disabled = true;
    captureFull.textContent = 'Running…';
    vscode.postMessage({ type: 'captureFull', file: payload.file, backward: source.backward });
  };
}

/**
 * A run of `file` gave no graph: why, with the output and another run one click away. Screen
 * readers hear why from the page's live region, once (the message itself is no live region).
 */
export function showFailure(file: string, message: string): void {
  save({ payload: null, collapsed: [], search: state.saved.search });
  state.snapshot = null;
  state.parts = null;
  state.opened = false;
  state.selected = [];
  app.dataset.state = 'failed';
  const output = btn(
    'show-output',
    'Show Output',
    "Open the Gradlens output with the script's messages",
  );
  output.addEventListener('click', () => {
    vscode.postMessage({ type: 'showOutput' });
  });
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
  announce(message);
}

/**
 * A run goes on and no graph is on screen: the whole view says so (the script by its file
 * name, its path in the tooltip), read out once by screen readers, with the Stop the status
 * bar item also offers.
 */
export function showRunning(file: string): void {
  app.dataset.state = 'running';
  const name = fileNameOf(file);
  const stop = btn('stop-run', 'Stop', `Stop ${name}; what it captured so far is shown`);
  stop.setAttribute('aria-label', `Stop ${name}`);
  stop.addEventListener('click', () => {
    stop.disabled = true;
    vscode.postMessage({ type: 'stopRun', file });
  });
  const text = runningText(file);
  // Shows that the run is alive; the words are what screen readers hear (announce).
  const bar = el('div', { id: 'running-progress' });
  bar.setAttribute('aria-hidden', 'true');
  app.replaceChildren(
    el(
      'div',
      { id: 'running' },
      bar,
      el('p', { id: 'running-message', textContent: text, title: file }),
      el('p', {}, stop),
    ),
  );
  announce(text);
}

/** The user stopped the layout: say so, and offer it again. */
export function cancelLayout(): void {
  cancelLayouts();
  state.opened = false;
  app.dataset.state = 'cancelled';
  showMessage('Layout cancelled.', 'Lay out again', () => void openGraph(null));
}

/**
 * Lays out and draws the current graph; with its delivery, also reports the command-to-paint
 * time. The view is marked painted once its layout is final (see settle).
 */
async function openGraph(delivery: Delivery | null): Promise<void> {
  const { snapshot } = state;
  const payload = state.saved.payload;
  if ((snapshot === null && state.snapshotGzip === null) || payload === null) return;
  const layoutFrom = Date.now();
  app.dataset.state = 'layout';
  showMessage('Laying out…');
  try {
    const r = await (delivery?.opening ?? layout(openRequest(await gzipOf(snapshot), payload)));
    if (state.saved.payload !== payload) return;
    adoptGroups(r);
    state.opened = true;
    // Restore the user's collapses of the groups open by default (after a reload).
    let last = r;
    for (const g of state.saved.collapsed) {
      if (state.groups.has(g) && last.expanded.includes(g))
        last = await layout({ op: 'collapse', group: g });
    }
    const laidOut = Date.now();
    const worker = last === r ? (r.times ?? null) : null;
    const reading = state.snapshot === null ? afterPaint(payload) : null;
    state.reading = reading;
    paint(last, true, worker);
    revealPending();
    await nextPaint();
    const paintedAt = Date.now();
    performance.mark('gradlens/painted');
    const { requestedAt, sentAt } = payload;
    const commandToPaintMs =
      delivery !== null && requestedAt !== undefined ? paintedAt - requestedAt : null;
    if (commandToPaintMs !== null) app.dataset.commandToPaintMs = String(commandToPaintMs);
    const phases =
      delivery !== null && requestedAt !== undefined && sentAt !== undefined
        ? {
            run: sentAt - requestedAt,
            send: delivery.arrivedAt - sentAt,
            layout: laidOut - layoutFrom,
            paint: paintedAt - laidOut,
          }
        : null;
    reportPaint(last, worker, commandToPaintMs, phases);
    if (reading !== null && !(await reading)) return;
    if (last === r && r.provisional === true) {
      app.dataset.state = 'provisional';
      await settle(payload);
    }
    if (state.saved.payload !== payload) return;
    app.dataset.state = 'painted';
    // Counts fresh graphs on screen, so tests can wait for the next one.
    app.dataset.paints = String(Number(app.dataset.paints ?? '0') + 1);
    // ELK's worker waited for a graph on screen (see layout-client.ts): the graphs to come open in it.
    startElkWorker();
  } catch (e) {
    if ((e as Error).message === CANCELLED) return;
    app.dataset.state = 'error';
    showMessage(`Could not lay out this graph: ${(e as Error).message}`);
    vscode.postMessage({ type: 'error', message: (e as Error).message });
  }
}

/** The outputs, groups and group membership of a layout the page shows. */
function adoptGroups(r: LayoutResult): void {
  state.outputs = r.outputs ?? [];
  const { groups, groupOf } =
    r.membership === undefined
      ? { groups: [], groupOf: {} }
      : (JSON.parse(r.membership) as Membership);
  state.groups = new Map(groups.map((g) => [g.id, g]));
  state.groupOf = groupOf;
}

/** The gzipped snapshot for the layout worker: as delivered, or made from the page's copy. */
async function gzipOf(snapshot: GraphSnapshot | null): Promise<Uint8Array> {
  return (state.snapshotGzip ??= await gzipJson(snapshot));
}

/**
 * The page's read of a delivered graph, once its drawing is on screen; then what waited for
 * it (details, reveals, marks that need the nodes). False when the read failed or a newer
 * graph came meanwhile.
 */
async function afterPaint(payload: KeptPayload): Promise<boolean> {
  await nextPaint();
  const gzip = state.snapshotGzip;
  const read = gzip !== null && (await readDelivered(payload, gzip));
  if (state.saved.payload === payload) state.reading = null;
  if (!read) return false;
  remark();
  revealPending();
  return true;
}

function reportPaint(
  r: LayoutResult,
  worker: WorkerTimes | null,
  commandToPaintMs: number | null,
  phases: PaintPhases | null,
): void {
  vscode.postMessage({
    type: 'painted',
    nodes: r.boxes,
    engine: r.engine,
    layoutMs: r.ms,
    worker,
    commandToPaintMs,
    phases,
  });
}

/**
 * A graph drawn by the fast layout because ELK was not ready yet (a window's first graph):
 * ELK lays it out again, and its layout replaces the drawing as long as the user has not
 * touched the view meanwhile (moved or zoomed it, selected, expanded or collapsed), so no
 * one loses their place. Otherwise, or if ELK fails, the drawing stays as it is.
 */
async function settle(payload: KeptPayload): Promise<void> {
  const { snapshotGzip } = state;
  // Nodes revealed from an editor are centred where they are now.
  if (snapshotGzip === null || state.selected.length > 0) return;
  const opening = layout(openRequest(snapshotGzip, payload), 'elk');
  // Taken once the request is out: any expand or collapse after it is a layout request more.
  const untouched = viewMark();
  let r: LayoutResult;
  try {
    r = await opening;
  } catch {
    return;
  }
  if (state.saved.payload !== payload || viewMark() !== untouched) return;
  adoptElkView();
  adoptGroups(r);
  paint(r, true, r.times ?? null);
  await nextPaint();
  reportPaint(r, r.times ?? null, null, null);
}

/** What the user changes in a view by touching it: where it stands, the selection, the groups open. */
function viewMark(): string {
  const { scale, tx, ty } = state.transform;
  return JSON.stringify([scale, tx, ty, state.selected, requestsSent()]);
}
