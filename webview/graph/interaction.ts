// What the user does in the view: wheel and drag to zoom and pan, toolbar buttons, search,
// hover (path to the output) and click (details, reveal, expand).
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
import { hideDetails, showDetails } from './details';
import { exportAs } from './export';
import { cancelLayout } from './graph';
import { toggleGroup } from './groups';
import { applySearch, highlightPath, markSelected, searchHits, searchText } from './marks';
import { save, state, vscode } from './state';
import { centerOn, fit, panBy, zoomAt } from './viewport';

/** A drag in progress: where it started and last was, and whether it moved enough to not be a click. */
let drag: { x0: number; y0: number; x: number; y: number; moved: boolean } | null = null;

function installZoomAndPan(): void {
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
    zoomAt(1.25);
  });
  zoomOut.addEventListener('click', () => {
    zoomAt(0.8);
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
    const g = (e.target as Element).closest<SVGGElement>('g.gl-node, g.gl-proxy');
    state.selectedId = null;
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
    select(id);
  });
}

/** Selects node `id`: marks it, shows its details and reveals its line in the editor. */
function select(id: string): void {
  state.selectedId = id;
  markSelected();
  const n = state.byId.get(id);
  if (n === undefined) return;
  showDetails(n, (group) => void toggleGroup(group, 'collapse'));
  if (n.location !== null)
    vscode.postMessage({
      type: 'reveal',
      file: n.location.file,
      line: n.location.line,
      column: n.location.column,
    });
}

export function installInteraction(): void {
  installZoomAndPan();
  installToolbar();
  installSearch();
  installPointer();
}
