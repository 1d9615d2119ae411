// Zoom and pan: what part of the drawing the view shows, and at what scale. Every change of
// the transform goes through `moved`, which redraws what is near the viewport and the minimap.
import { FONT_SIZE } from '../../src/graph/elk';
import type { SvgItem, SvgParts } from '../../src/graph/svg';
import type { WorkerTimes } from '../../src/protocol/graph-view';
import { view } from './dom';
import { applyTransform, drawWindow, setDrawing } from './drawing';
import { itemRect } from './geometry';
import type { LayoutResult } from './layout-client';
import { drawMinimap, showViewport } from './minimap';
import { containerOf, state } from './state';

const MIN_SCALE = 0.02;
const MAX_SCALE = 8;
/** Fit never enlarges a small graph beyond this. */
const MAX_FIT_SCALE = 1.5;
/** The smallest scale Fit uses: box text drawn at 9 px, about the smallest read without squinting. */
export const READABLE_SCALE = 9 / FONT_SIZE;
/** Room left around the drawing by Fit, in screen pixels. */
const MARGIN = 8;

/** Draws a new layout: fitted to the view, or (`fitAfter` false) where the view already is. */
export function paint(r: LayoutResult, fitAfter: boolean, worker: WorkerTimes | null = null): void {
  setDrawing(r, worker);
  drawMinimap();
  if (fitAfter) fit();
  else moved();
  drawWindow();
}

function moved(): void {
  applyTransform();
  showViewport();
}

/**
 * Shows the whole drawing when it reads at READABLE_SCALE or larger; otherwise, at that scale,
 * the output and as much around it as the view holds (the minimap shows the rest).
 */
export function fit(): void {
  const p = state.parts;
  if (p === null) return;
  const t = state.transform;
  const vw = view.clientWidth;
  const vh = view.clientHeight;
  const whole = Math.min(MAX_FIT_SCALE, (vw - 2 * MARGIN) / p.width, (vh - 2 * MARGIN) / p.height);
  if (!Number.isFinite(whole) || whole <= 0) {
    t.scale = 1;
  } else if (whole >= READABLE_SCALE) {
    t.scale = whole;
    t.tx = Math.max(MARGIN, (vw - p.width * whole) / 2);
    t.ty = MARGIN;
  } else {
    t.scale = READABLE_SCALE;
    const root = rootItem(p);
    const cx = root === undefined ? p.width / 2 : p.originX + root.x + root.w / 2;
    const cy = root === undefined ? p.height : p.originY + root.y + root.h / 2;
    t.tx = clampAxis(vw / 2 - cx * t.scale, p.width * t.scale, vw);
    t.ty = clampAxis(vh / 2 - cy * t.scale, p.height * t.scale, vh);
  }
  moved();
}

/**
 * A translation along one axis that leaves no more empty room than needed: the drawing
 * centred when it is smaller than the view, its edge at the margin when it would go past it.
 */
function clampAxis(t: number, size: number, viewSize: number): number {
  if (size <= viewSize - 2 * MARGIN) return (viewSize - size) / 2;
  return Math.min(MARGIN, Math.max(viewSize - size - MARGIN, t));
}

/** The box of the graph's output as drawn: the output itself, or the collapsed group holding it. */
function rootItem(p: SvgParts): SvgItem | undefined {
  const boxes = new Map(p.items.filter((it) => it.kind === 'node').map((it) => [it.id, it]));
  for (const out of state.outputs) {
    for (let id: string | null = out; id !== null; id = containerOf(id)) {
      const box = boxes.get(id);
      if (box !== undefined) return box;
    }
  }
  return undefined;
}

/** Zooms by `factor` keeping the point (x, y) of the view (default: its centre) where it is. */
export function zoomAt(factor: number, x = view.clientWidth / 2, y = view.clientHeight / 2): void {
  const t = state.transform;
  const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, t.scale * factor));
  const f = next / t.scale;
  t.tx = x - (x - t.tx) * f;
  t.ty = y - (y - t.ty) * f;
  t.scale = next;
  moved();
}

/** Moves the drawing by (dx, dy) screen pixels. */
export function panBy(dx: number, dy: number): void {
  state.transform.tx += dx;
  state.transform.ty += dy;
  moved();
}

/** Pans so that the point (x, y) of the drawing's SVG is in the middle of the view. */
export function centreAt(x: number, y: number): void {
  const t = state.transform;
  t.tx = view.clientWidth / 2 - x * t.scale;
  t.ty = view.clientHeight / 2 - y * t.scale;
  moved();
}

/** Pans so that the items are in the middle of the view. */
export function centerOn(...items: SvgItem[]): void {
  const p = state.parts;
  if (p === null || items.length === 0) return;
  const vr = view.getBoundingClientRect();
  const rs = items.map((it) => itemRect(p, it));
  const left = Math.min(...rs.map((r) => r.left));
  const top = Math.min(...rs.map((r) => r.top));
  const right = Math.max(...rs.map((r) => r.left + r.width));
  const bottom = Math.max(...rs.map((r) => r.top + r.height));
  panBy(vr.left + vr.width / 2 - (left + right) / 2, vr.top + vr.height / 2 - (top + bottom) / 2);
}
