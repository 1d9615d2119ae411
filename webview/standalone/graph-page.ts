// The interactive page around a snapshot: the CLI's HTML page (src/graph/html.ts: zoom, pan,
// search, details) drawn from a layout made here in the browser, plus what a saved picture
// cannot do: open a big graph collapsed and expand or collapse its groups, export the SVG.
import type { GraphDirection } from '../../src/graph/direction';
import { renderHtml } from '../../src/graph/html';
import { joinSvg } from '../../src/graph/svg';
import { GraphView, groupName, type ViewResult } from '../../src/graph/view';
import { isGroupId, type GroupTree } from '../../src/graph/groups';
import type { GraphNode, GraphSnapshot } from '../../src/protocol/messages';
import { THEME_CSS } from './theme';

/** A mouse press that moved more than this many pixels was a drag, not a click. */
const CLICK_SLOP = 4;

/**
 * Replaces the document with the graph's page.
 *
 * @example
 * await showGraph(document, snapshot, 'P', 'leaves-top');
 */
export async function showGraph(
  doc: Document,
  snapshot: GraphSnapshot,
  title: string,
  direction: GraphDirection,
): Promise<void> {
  const view = new GraphView(snapshot, { direction });
  const opened = await view.open();
  replaceDocument(doc, renderHtml(withGroups(snapshot, view.tree), joinSvg(opened.parts), title));
  new Page(doc, view, title).shown(opened);
}

/** The snapshot plus one node per group, so the page's search and details know the boxes too. */
function withGroups(snapshot: GraphSnapshot, tree: GroupTree): GraphSnapshot {
  // A snapshot cut to its size limit (the CLI's) holds some boxes already.
  const ids = new Set(snapshot.nodes.map((n) => n.id));
  const missing = [...tree.groups.values()].filter((g) => !ids.has(g.id));
  const boxes: GraphNode[] = missing.map((g) => ({
    id: g.id,
    kind: 'function',
    name: groupName(g),
    next: [],
    value: null,
    grad: null,
    location: null,
    modulePath: g.modulePath,
    attachedTo: null,
    sequenceNr: -1,
  }));
  return { ...snapshot, nodes: [...snapshot.nodes, ...boxes] };
}

/** The page's markup in place of the document's, its scripts run (a parsed script is inert). */
function replaceDocument(doc: Document, html: string): void {
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  doc.head.replaceChildren(...[...parsed.head.childNodes].map((n) => doc.importNode(n, true)));
  const style = doc.createElement('style');
  style.textContent = THEME_CSS;
  doc.head.append(style);
  doc.body.replaceChildren(...[...parsed.body.childNodes].map((n) => doc.importNode(n, true)));
  for (const old of doc.body.querySelectorAll('script')) {
    if (old.type !== '') continue;
    const run = doc.createElement('script');
    run.textContent = old.textContent;
    old.replaceWith(run);
  }
}

class Page {
  private current: ViewResult | null = null;
  private readonly canvas: HTMLElement;
  private readonly details: HTMLElement;
  private readonly note: HTMLElement;

  constructor(
    private readonly doc: Document,
    private readonly view: GraphView,
    private readonly title: string,
  ) {
    this.canvas = must(doc.getElementById('canvas'));
    this.details = must(doc.getElementById('details'));
    const bar = must(doc.getElementById('bar'));
    this.note = doc.createElement('span');
    this.note.id = 'gl-note';
    bar.append(
      this.button(
        'gl-reset',
        'reset',
        'Lay out afresh, big graphs collapsed',
        () => void this.reset(),
      ),
      this.button('gl-export', 'SVG', 'Download the drawing as SVG', () => {
        this.exportSvg();
      }),
      this.note,
    );
    this.listenToClicks();
    this.refitWhenShown(must(doc.getElementById('view')));
  }

  /** What the page shows now (its canvas already holds the drawing). */
  shown(r: ViewResult): void {
    this.current = r;
    const groups = r.snapshot.nodes.filter((n) => isGroupId(n.id)).length;
    this.note.textContent =
      groups > 0
        ? `${groups} collapsed group${groups === 1 ? '' : 's'}: click one to expand it`
        : '';
  }

  private draw(r: ViewResult): void {
    this.canvas.innerHTML = joinSvg(r.parts);
    this.shown(r);
  }

  private button(id: string, text: string, tip: string, onClick: () => void): HTMLButtonElement {
    const b = this.doc.createElement('button');
    b.id = id;
    b.textContent = text;
    b.title = tip;
    b.addEventListener('click', onClick);
    return b;
  }

  private async reset(): Promise<void> {
    this.draw(await this.view.open());
    this.details.style.display = 'none';
    this.doc.getElementById('fit')?.click();
  }

  /**
   * The page's script fits the drawing to the view when it starts; a frame that had no size
   * yet (a notebook lays out its outputs after their pages start) got a fit at zoom 0, so it
   * fits again once the view has a size.
   */
  private refitWhenShown(view: HTMLElement): void {
    const empty = (): boolean => view.clientWidth === 0 || view.clientHeight === 0;
    let wasEmpty = empty();
    new ResizeObserver(() => {
      if (wasEmpty && !empty()) this.doc.getElementById('fit')?.click();
      wasEmpty = empty();
    }).observe(view);
  }

  /**
   * Group boxes expand on click; a frame's header collapses its group, and so does a button in
   * the details of a node inside it.
   */
  private listenToClicks(): void {
    let down: { x: number; y: number } | null = null;
    this.canvas.addEventListener('mousedown', (e) => (down = { x: e.clientX, y: e.clientY }));
    // Registered after the page's own click handler, which fills the details first.
    this.canvas.addEventListener('click', (e) => {
      const moved =
        down !== null && Math.hypot(e.clientX - down.x, e.clientY - down.y) > CLICK_SLOP;
      if (moved) return;
      const frame = (e.target as Element).closest('.gl-frame-toggle')?.getAttribute('data-group');
      if (frame != null) {
        void this.collapse(frame);
        return;
      }
      const id = (e.target as Element).closest('.gl-node')?.getAttribute('data-id') ?? null;
      if (id === null) return;
      if (isGroupId(id) && !this.view.expanded.has(id)) {
        this.draw(this.view.expand(id));
        this.details.style.display = 'none';
        return;
      }
      const group = this.view.tree.groupOf.get(id) ?? null;
      if (group !== null) this.offerCollapse(group);
    });
  }

  private offerCollapse(group: string): void {
    const g = this.view.tree.groups.get(group);
    if (g === undefined) return;
    const b = this.doc.createElement('button');
    b.className = 'gl-collapse';
    b.textContent = `Collapse ${groupName(g)}`;
    b.addEventListener('click', () => void this.collapse(group));
    this.details.append(b);
  }

  private async collapse(group: string): Promise<void> {
    this.draw(await this.view.collapse(group));
    this.details.style.display = 'none';
  }

  private exportSvg(): void {
    if (this.current === null) return;
    const url = URL.createObjectURL(
      new Blob([joinSvg(this.current.parts)], { type: 'image/svg+xml' }),
    );
    const a = this.doc.createElement('a');
    a.href = url;
    a.download = `${this.title.replace(/[^\w.-]+/g, '_') || 'graph'}.svg`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

function must<T>(v: T | null): T {
  if (v === null) throw new Error('the graph page is missing an element it needs');
  return v;
}
