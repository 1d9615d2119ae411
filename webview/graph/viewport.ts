// Zoom and pan: what part of the drawing the view shows, and at what scale.
import type { SvgItem } from '../../src/graph/svg';
import type { WorkerTimes } from '../../src/protocol/graph-view';
import { view } from './dom';
import { applyTransform, drawWindow, setDrawing } from './drawing';
import { itemRect } from './geometry';
import type { LayoutResult } from './layout-client';
import { state } from './state';

const MIN_SCALE = 0.02;
const MAX_SCALE = 8;

/** Draws a new layout: fitted to the view, or (`fitAfter` false) where the view already is. */
export function paint(r: LayoutResult, fitAfter: boolean, worker: WorkerTimes | null = null): void {
  setDrawing(r, worker);
  if (fitAfter) fit();
  else applyTransform();
  drawWindow();
}

export function fit(): void {
  const p = state.parts;
  if (p === null) return;
  const t = state.transform;
  t.scale = Math.min(1.5, (view.clientWidth - 16) / p.width, (view.clientHeight - 16) / p.height);
  if (!Number.isFinite(t.scale) || t.scale <= 0) t.scale = 1;
  t.tx = Math.max(8, (view.clientWidth - p.width * t.scale) / 2);
  t.ty = 8;
  applyTransform();
}

/** Zooms by `factor` keeping the point (x, y) of the view (default: its centre) where it is. */
export function zoomAt(factor: number, x = view.clientWidth / 2, y = view.clientHeight / 2): void {
  const t = state.transform;
  const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, t.scale * factor));
  const f = next / t.scale;
  t.tx = x - (x - t.tx) * f;
  t.ty = y - (y - t.ty) * f;
  t.scale = next;
  applyTransform();
}

/** Moves the drawing by (dx, dy) screen pixels. */
export function panBy(dx: number, dy: number): void {
  state.transform.tx += dx;
  state.transform.ty += dy;
  applyTransform();
}

/** Pans so that the item is in the middle of the view. */
export function centerOn(it: SvgItem): void {
  if (state.parts === null) return;
  const vr = view.getBoundingClientRect();
  const r = itemRect(state.parts, it);
  panBy(
    vr.left + vr.width / 2 - (r.left + r.width / 2),
    vr.top + vr.height / 2 - (r.top + r.height / 2),
  );
}
