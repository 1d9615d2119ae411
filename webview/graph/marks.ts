// Classes on the drawn boxes and edges that say what the user is looking at: search matches,
// the path from the hovered node to the output, the selected node. Re-applied after each
// redraw of the part of the drawing in the page.
import type { SvgItem, SvgParts } from '../../src/graph/svg';
import { canvas, matches, search } from './dom';
import { edgeEnds } from './geometry';
import { state, type ViewState } from './state';
import { markStep } from './step-marks';
import { markGradcheck } from './gradcheck';

function nodeEls(): SVGGElement[] {
  return [...canvas.querySelectorAll<SVGGElement>('g.gl-node')];
}

/** The drawn box of node `id`, if it is in the page. */
function nodeEl(id: string): SVGGElement | null {
  return canvas.querySelector<SVGGElement>(`g.gl-node[data-id="${CSS.escape(id)}"]`);
}

/** The search text as it is matched: trimmed, lower case. */
export function searchText(): string {
  return search.value.trim().toLowerCase();
}

/** The edges in the page, looked up once per redraw (hovering looks at them on every move). */
let edgeEls: SVGPathElement[] = [];

/** After a redraw of what is in the page: the marks again, on the new elements. */
export function remark(): void {
  edgeEls = [...canvas.querySelectorAll<SVGPathElement>('path.gl-edge')];
  applySearch();
  markSelected();
  markStep();
  markGradcheck();
}

let hitCache: {
  q: string;
  parts: SvgParts;
  byId: ViewState['byId'];
  hits: SvgItem[];
} | null = null;

/** The node boxes of the drawing that match the search text `q`, in drawing order. */
export function searchHits(q: string): SvgItem[] {
  const parts = state.parts;
  if (q === '' || parts === null) return [];
  // The nodes come with the page's read of the graph, which may follow the drawing's paint.
  if (hitCache?.q === q && hitCache.parts === parts && hitCache.byId === state.byId)
    return hitCache.hits;
  // A node is found by its name, the variable holding its output (`Q`) and its modules.
  const hits = parts.items.filter((it) => {
    const n = state.byId.get(it.id);
    return (
      it.kind === 'node' &&
      `${it.name ?? ''} ${n?.varName ?? ''} ${n?.modulePath.join(' ') ?? ''}`
        .toLowerCase()
        .includes(q)
    );
  });
  hitCache = { q, parts, byId: state.byId, hits };
  return hits;
}

/** Marks the matches among the boxes in the page and counts all of them. */
export function applySearch(): void {
  const q = searchText();
  const hits = searchHits(q);
  const ids = new Set(hits.map((it) => it.id));
  for (const g of nodeEls()) {
    const hit = ids.has(g.dataset.id ?? '');
    g.classList.toggle('gl-match', hit);
    g.classList.toggle('gl-dim', q !== '' && !hit);
  }
  matches.textContent =
    q === '' ? '' : `${String(hits.length)} match${hits.length === 1 ? '' : 'es'}`;
}

/** Marks the selected boxes that are in the page, and only them. */
export function markSelected(): void {
  for (const s of canvas.querySelectorAll('.gl-selected')) s.classList.remove('gl-selected');
  for (const id of state.selected) nodeEl(id)?.classList.add('gl-selected');
}

/** Highlights the nodes and edges on the way from `from` to the output (none for null). */
export function highlightPath(from: string | null): void {
  const on = new Set<string>();
  if (from !== null) {
    const stack = [from];
    for (let id = stack.pop(); id !== undefined; id = stack.pop()) {
      if (on.has(id)) continue;
      on.add(id);
      stack.push(...(state.forward.get(id) ?? []));
    }
  }
  canvas.classList.toggle('gl-pathing', from !== null);
  for (const g of nodeEls()) g.classList.toggle('gl-path', on.has(g.dataset.id ?? ''));
  for (const e of edgeEls) {
    const [a, b] = edgeEnds(e.dataset.id ?? '');
    e.classList.toggle('gl-path', a !== null && on.has(a) && on.has(b));
  }
}
