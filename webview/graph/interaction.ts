// What the user does in the view: wheel and drag to zoom and pan, toolbar buttons, search,
// hover (path to the output) and click (details, reveal, expand; a frame's header collapses).
import {
  canvas,
  cancelLayout as cancelButton,
  exportDot,
  exportPng,
  exportSvg,
  fitBtn,
  pick,
  search,
  view,
  zoomIn,
  zoomOut,
} from './dom';
import { hideDetails } from './details';
import { exportAs } from './export';
import { cancelLayout } from './graph';
import { toggleGroup } from './groups';
import { applySearch, highlightPath, markSelected, searchHits, searchText } from './marks';
import { installMinimap } from './minimap';
import { installPanelKeys } from './panel';
import { select } from './select';
import { awaitsRead, save, state, vscode } from './state';
import { installStepping } from './step';
import { installGradcheck } from './gradcheck';
import { installToolbarOverflow } from './toolbar';
import { centerOn, centreAt, fit, panBy, zoomAt } from './viewport';

/** A drag in progress: where it started and last was, and whether it moved enough to not be a click. */
let drag: { x0: number; y0: number; x: number; y: number; moved: boolean } | null = null;

/** Zoom per pixel of wheel: one notch of a mouse wheel (100 px) zooms by about 10 %. */
const WHEEL_ZOOM = 0.001;
/** A pinch on a touchpad arrives as a wheel with ctrl and small deltas: zoom more per pixel. */
const PINCH_ZOOM = 0.01;
/** No one wheel event zooms by more than this, whatever its delta (some wheels send 500 px). */
const MAX_WHEEL_STEP = 1.2;
/** The "+" and "−" buttons and keys. */
const ZOOM_STEP = 1.25;

/** A wheel event's vertical delta in pixels, whatever unit it came in. */
function wheelPixels(e: WheelEvent, delta: number): number {
  if (e.deltaMode === WheelEvent.DOM_DELTA_LINE) return delta * 16;
  if (e.deltaMode === WheelEvent.DOM_DELTA_PAGE) return delta * view.clientHeight;
  return delta;
}

/** The wheel zooms at the cursor (shift: pans sideways). */
function onWheel(e: WheelEvent): void {
  e.preventDefault();
  if (e.shiftKey && !e.ctrlKey && !e.metaKey) {
    panBy(-wheelPixels(e, e.deltaX || e.deltaY), 0);
    return;
  }
  const rate = e.ctrlKey ? PINCH_ZOOM : WHEEL_ZOOM;
  const factor = Math.min(
    MAX_WHEEL_STEP,
    Math.max(1 / MAX_WHEEL_STEP, Math.exp(-wheelPixels(e, e.deltaY) * rate)),
  );
  const r = view.getBoundingClientRect();
  zoomAt(factor, e.clientX - r.left, e.clientY - r.top);
}

/** "+"/"=" and "−"/"-" zoom around the centre of the view, "0" fits; not while typing. */
function onKey(e: KeyboardEvent): void {
  if (e.target instanceof HTMLInputElement || e.ctrlKey || e.metaKey || e.altKey) return;
  if (e.key === '+' || e.key === '=') zoomAt(ZOOM_STEP);
  else if (e.key === '-' || e.key === '−') zoomAt(1 / ZOOM_STEP);
  else if (e.key === '0') fit();
  else return;
  e.preventDefault();
}

function installZoomAndPan(): void {
  view.addEventListener('wheel', onWheel, { passive: false });
  window.addEventListener('keydown', onKey);
  installMinimap(centreAt);
  view.addEventListener('mousedown', (e) => {
    if (e.button !== 0) return;
    drag = { x0: e.clientX, y0: e.clientY, x: e.clientX, y: e.clientY, moved: false };
    view.classList.add('dragging');
  });
  window.addEventListener('mousemove', (e) => {
    if (drag === null) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    drag.x = e.clientX;
    drag.y = e.clientY;
    if (Math.abs(e.clientX - drag.x0) + Math.abs(e.clientY - drag.y0) > 3) drag.moved = true;
    panBy(dx, dy);
  });
  window.addEventListener('mouseup', () => {
    view.classList.remove('dragging');
    // The click that ends a drag comes after mouseup: it must still see the drag.
    setTimeout(() => {
      drag = null;
    }, 0);
  });
  window.addEventListener('resize', () => {
    if (state.opened) fit();
  });
  zoomIn.addEventListener('click', () => {
    zoomAt(ZOOM_STEP);
  });
  zoomOut.addEventListener('click', () => {
    zoomAt(1 / ZOOM_STEP);
  });
  fitBtn.addEventListener('click', fit);
}

function installToolbar(): void {
  pick.addEventListener('click', () => {
    vscode.postMessage({ type: 'pickBackward' });
  });
  exportSvg.addEventListener('click', () => void exportAs('svg'));
  exportPng.addEventListener('click', () => void exportAs('png'));
  exportDot.addEventListener('click', () => void exportAs('dot'));
  cancelButton.addEventListener('click', cancelLayout);
}

function installSearch(): void {
  search.addEventListener('input', () => {
    save({ ...state.saved, search: search.value });
    state.matchIndex = -1;
    applySearch();
  });
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    const hits = searchHits(searchText());
    if (hits.length === 0) return;
    state.matchIndex = (state.matchIndex + 1) % hits.length;
    centerOn(hits[state.matchIndex]);
  });
}

function installPointer(): void {
  canvas.addEventListener('mouseover', (e) => {
    const g = (e.target as Element).closest<SVGGElement>('g.gl-node');
    highlightPath(g?.dataset.id ?? null);
  });
  canvas.addEventListener('mouseleave', () => {
    highlightPath(null);
  });
  canvas.addEventListener('click', (e) => {
    if (drag?.moved) return;
    const frame = (e.target as Element).closest<SVGGElement>('g.gl-frame-toggle');
    if (frame?.dataset.group !== undefined) {
      void toggleGroup(frame.dataset.group, 'collapse');
      return;
    }
    const g = (e.target as Element).closest<SVGGElement>('g.gl-node, g.gl-proxy');
    state.selected = [];
    markSelected();
    if (g === null) {
      hideDetails();
      return;
    }
    const id = g.classList.contains('gl-proxy') ? (g.dataset.of ?? '') : (g.dataset.id ?? '');
    if (g.classList.contains('gl-group')) {
      void toggleGroup(id, 'expand');
      return;
    }
    // A node's details and source come with the page's read of the graph, which may still go on.
    if (!awaitsRead(() => selectAndReveal(id))) selectAndReveal(id);
  });
}

/** Shows a clicked node's details and its line in the editor. */
function selectAndReveal(id: string): void {
  const n = select([id]);
  if (n?.location != null)
    vscode.postMessage({
      type: 'reveal',
      file: n.location.file,
      line: n.location.line,
      column: n.location.column,
      ...(n.location.cell === undefined ? {} : { cell: n.location.cell }),
    });
}

export function installInteraction(): void {
  installToolbarOverflow();
  installZoomAndPan();
  installToolbar();
  installSearch();
  installPointer();
  installStepping();
  installGradcheck();
  installPanelKeys();
}
