// Puts the drawing into the page: all of it for smaller graphs, and for big ones only the
// elements near the viewport (with a margin), redrawn when the viewport leaves what was drawn.
import { isGroupId } from '../../src/graph/groups';
import { LITE_SCALE, WINDOW_MIN_ITEMS, itemsIn, joinSvg } from '../../src/graph/svg';
import type { WorkerTimes } from '../../src/protocol/graph-view';
import { layoutText } from '../../src/protocol/paint-report';
import { canvas, status } from './dom';
import { edgeEnds, viewportRegion } from './geometry';
import type { LayoutResult } from './layout-client';
import { remark } from './marks';
import { state } from './state';

let redraw = 0;

/**
 * Takes a new layout as the current drawing (drawn by the next drawWindow). `worker`: for a
 * graph just opened, what the layout worker spent before its layout.
 */
export function setDrawing(r: LayoutResult, worker: WorkerTimes | null): void {
  const parts = r.parts;
  state.parts = parts;
  state.expanded = new Set(r.expanded);
  state.forward = new Map();
  for (const it of parts.items) {
    if (it.kind !== 'edge') continue;
    const [from, to] = edgeEnds(it.id);
    if (from === null) continue;
    const list = state.forward.get(from);
    if (list === undefined) state.forward.set(from, [to]);
    else list.push(to);
  }
  status.textContent =
    `${String(r.boxes)} boxes · ${layoutText(r.engine, r.ms, worker)}` +
    (parts.items.some((it) => it.kind === 'node' && isGroupId(it.id))
      ? ' · click a dashed box to expand it'
      : '') +
    (state.saved.payload?.notes ?? []).map((n) => ` · note: ${n}`).join('');
  state.drawn = null;
}

/** Puts the elements near the viewport into the page (all of them for smaller drawings). */
export function drawWindow(): void {
  const p = state.parts;
  if (p === null) return;
  if (p.items.length <= WINDOW_MIN_ITEMS) {
    if (state.drawn === null) canvas.innerHTML = joinSvg(p);
    state.drawn = { x0: -Infinity, y0: -Infinity, x1: Infinity, y1: Infinity, lite: false };
  } else {
    // A margin of one viewport on every side: panning redraws only every screenful.
    const v = viewportRegion(p);
    const w = v.x1 - v.x0;
    const h = v.y1 - v.y0;
    const lite = state.transform.scale < LITE_SCALE;
    const r = { x0: v.x0 - w, y0: v.y0 - h, x1: v.x1 + w, y1: v.y1 + h, lite };
    canvas.innerHTML = joinSvg(p, itemsIn(p, r), lite);
    state.drawn = r;
  }
  remark();
}

/** Moves the drawing to the view's transform, redrawing what is in the page if needed. */
export function applyTransform(): void {
  const { scale, tx, ty } = state.transform;
  canvas.style.transform = `translate(${String(tx)}px, ${String(ty)}px) scale(${String(scale)})`;
  scheduleWindow();
}

/** After a pan or zoom: redraw once the viewport leaves what was drawn, or the zoom crosses LITE_SCALE. */
function scheduleWindow(): void {
  const { parts, drawn } = state;
  if (parts === null || drawn === null || parts.items.length <= WINDOW_MIN_ITEMS) return;
  const v = viewportRegion(parts);
  const inside = v.x0 >= drawn.x0 && v.y0 >= drawn.y0 && v.x1 <= drawn.x1 && v.y1 <= drawn.y1;
  if (inside && drawn.lite === state.transform.scale < LITE_SCALE) return;
  cancelAnimationFrame(redraw);
  redraw = requestAnimationFrame(drawWindow);
}
