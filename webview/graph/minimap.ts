// The minimap: the whole drawing in small, boxes only, with the rectangle the view shows. It
// appears when the drawing goes past the view; a click or drag in it moves the view there.
import { minimap, minimapCanvas, minimapView, view } from './dom';
import { state } from './state';

/** The largest size of the minimap, in CSS pixels: a tall graph may take most of the view's height. */
const MAX_W = 180;
const MAX_H = 140;
const MAX_TALL_H = 400;
/** The viewport rectangle stays this large, to be seen, when the view shows a tiny part. */
const MIN_RECT = 6;

/** Layout-to-minimap scale of the current drawing. */
let k = 1;

/** Draws the boxes of a new drawing into the minimap (its viewport rectangle follows the view). */
export function drawMinimap(): void {
  const p = state.parts;
  if (p === null) return;
  const maxH = p.height > 2 * p.width ? Math.min(MAX_TALL_H, view.clientHeight * 0.6) : MAX_H;
  k = Math.min(MAX_W / p.width, maxH / p.height);
  const w = Math.max(1, Math.round(p.width * k));
  const h = Math.max(1, Math.round(p.height * k));
  const ratio = window.devicePixelRatio || 1;
  minimapCanvas.width = Math.round(w * ratio);
  minimapCanvas.height = Math.round(h * ratio);
  minimapCanvas.style.width = `${String(w)}px`;
  minimapCanvas.style.height = `${String(h)}px`;
  const ctx = minimapCanvas.getContext('2d');
  if (ctx === null) return;
  ctx.scale(ratio, ratio);
  // A canvas takes colours, not CSS variables: read the theme's.
  const style = getComputedStyle(minimap);
  ctx.fillStyle = style.getPropertyValue('--gl-minimap-box').trim() || '#888';
  for (const it of p.items) {
    if (it.kind !== 'node') continue;
    ctx.fillRect(
      (p.originX + it.x) * k,
      (p.originY + it.y) * k,
      Math.max(1, it.w * k),
      Math.max(1, it.h * k),
    );
  }
}

/** Shows the minimap when the drawing goes past the view, with the part the view shows. */
export function showViewport(): void {
  const p = state.parts;
  const { scale, tx, ty } = state.transform;
  const vw = view.clientWidth;
  const vh = view.clientHeight;
  const whole =
    p !== null &&
    tx >= -1 &&
    ty >= -1 &&
    tx + p.width * scale <= vw + 1 &&
    ty + p.height * scale <= vh + 1;
  minimap.hidden = p === null || whole;
  if (minimap.hidden) return;
  const w = Math.max(MIN_RECT, (vw / scale) * k);
  const h = Math.max(MIN_RECT, (vh / scale) * k);
  const s = minimapView.style;
  s.left = `${String(((-tx + vw / 2) / scale) * k - w / 2)}px`;
  s.top = `${String(((-ty + vh / 2) / scale) * k - h / 2)}px`;
  s.width = `${String(w)}px`;
  s.height = `${String(h)}px`;
}

/** Clicks and drags in the minimap centre the view on the point under the pointer. */
export function installMinimap(centreAt: (x: number, y: number) => void): void {
  const moveTo = (e: PointerEvent): void => {
    const r = minimapCanvas.getBoundingClientRect();
    centreAt((e.clientX - r.left) / k, (e.clientY - r.top) / k);
  };
  minimap.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    e.stopPropagation();
    minimap.setPointerCapture(e.pointerId);
    moveTo(e);
  });
  minimap.addEventListener('pointermove', (e) => {
    if (minimap.hasPointerCapture(e.pointerId)) moveTo(e);
  });
  // The view's own drag and click must not see what happens in the minimap.
  minimap.addEventListener('mousedown', (e) => {
    e.stopPropagation();
  });
  minimap.addEventListener(
    'wheel',
    (e) => {
      e.stopPropagation();
      e.preventDefault();
    },
    { passive: false },
  );
}
