// Where things are: layout coordinates (the worker's), the drawing's SVG coordinates (layout
// plus the drawing's origin) and the screen (the view's transform applied).
import type { Region, SvgItem, SvgParts } from '../../src/graph/svg';
import { view } from './dom';
import { state } from './state';

export interface ScreenRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What the viewport shows, in layout coordinates. */
export function viewportRegion(p: SvgParts): Region {
  const { scale, tx, ty } = state.transform;
  const x0 = -tx / scale - p.originX;
  const y0 = -ty / scale - p.originY;
  return { x0, y0, x1: x0 + view.clientWidth / scale, y1: y0 + view.clientHeight / scale };
}

/** Where a drawn item is on screen, in client pixels, whether or not it is in the page. */
export function itemRect(p: SvgParts, it: SvgItem): ScreenRect {
  const vr = view.getBoundingClientRect();
  const { scale, tx, ty } = state.transform;
  return {
    left: vr.left + tx + (p.originX + it.x) * scale,
    top: vr.top + ty + (p.originY + it.y) * scale,
    width: it.w * scale,
    height: it.h * scale,
  };
}

/** The two nodes of an edge id `from->to#slot`; nulls for an id of another form. */
export function edgeEnds(id: string): [string, string] | [null, null] {
  const i = id.indexOf('->');
  if (i < 0) return [null, null];
  const to = id.slice(i + 2);
  const hash = to.indexOf('#');
  return [id.slice(0, i), hash < 0 ? to : to.slice(0, hash)];
}
