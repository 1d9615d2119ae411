// Layout result + snapshot -> a standalone SVG string. The same markup is embedded in the
// HTML page and the webview, which add interaction by `data-id` attributes.
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { GraphNode, GraphSnapshot } from '../protocol/messages';
import {
  CHAR_WIDTH,
  FONT_SIZE,
  LINE_HEIGHT,
  PAD_X,
  PAD_Y,
  PORT_SIZE,
  boxLines,
  inPortId,
  isShared,
  proxiedNode,
  proxyLabel,
} from './elk';
import { FRAME_HEADER, frameLabel, type GroupFrame } from './clusters';
import { isGroupId } from './groups';
import {
  FLAG_COLOR,
  displayName,
  formatLocation,
  formatValues,
  isFlagged,
  nodeFill,
} from './labels';

const MARGIN = 16;
export const GROUP_FILL = '#e6defa';
const HEADER = 22;

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** A tooltip for a node: its name, where it came from, its module, value and gradient. */
export function nodeTitle(n: GraphNode): string {
  const parts = [displayName(n)];
  if (n.kind === 'accumulate') parts[0] = n.name;
  if (n.kind === 'function' && n.varName !== undefined) parts.push(`output held in ${n.varName}`);
  const loc =
    n.location === null ? null : `${n.location.file}:${n.location.line}:${n.location.column}`;
  if (loc !== null) parts.push(`at ${loc}`);
  if (n.modulePath.length) parts.push(`in ${n.modulePath[n.modulePath.length - 1]}`);
  if (n.value !== null)
    parts.push(`${n.value.dtype}[${n.value.shape.join(', ')}] ${formatValues(n.value)}`);
  if (n.grad !== null) parts.push(`grad ${formatValues(n.grad)}`);
  return parts.join('\n');
}

function edgePath(e: ElkExtendedEdge): string {
  const d: string[] = [];
  for (const s of e.sections ?? []) {
    d.push(`M${s.startPoint.x},${s.startPoint.y}`);
    for (const b of s.bendPoints ?? []) d.push(`L${b.x},${b.y}`);
    d.push(`L${s.endPoint.x},${s.endPoint.y}`);
  }
  return d.join(' ');
}

/**
 * Draws a laid-out snapshot. `layout` is what ELK returned for `toElkGraph(snapshot)`.
 *
 * @example
 * const svg = renderSvg(snapshot, await elk.layout(toElkGraph(snapshot)));
 */
export function renderSvg(snapshot: GraphSnapshot, layout: ElkNode): string {
  return joinSvg(renderSvgParts(snapshot, layout));
}

/** One drawn element of the graph and where it lies, in the coordinates of the layout. */
export interface SvgItem {
  kind: 'node' | 'proxy' | 'edge' | 'frame';
  /** The node's id (a proxy's: the node it stands for; an edge's: `from->to#slot`; a frame's: its group's). */
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
  /** For nodes: the name on the box (searchable without the markup). */
  name: string | null;
  markup: string;
  /** For nodes: the box alone (no text, ports or tooltip), drawn when zoomed far out. */
  lite: string | null;
}

/**
 * A drawing in pieces, so that a view can put only the elements near what it shows into its
 * page: the SVG is `head + items' markup + tail`, and an item at layout (x, y) is drawn at
 * (originX + x, originY + y) in the SVG.
 */
export interface SvgParts {
  head: string;
  tail: string;
  width: number;
  height: number;
  originX: number;
  originY: number;
  items: SvgItem[];
}

/** The whole SVG, or only `items` drawn (as their lite form where `lite` says so). */
export function joinSvg(
  parts: SvgParts,
  items: readonly SvgItem[] = parts.items,
  lite = false,
): string {
  let out = parts.head;
  for (const it of items) out += lite && it.lite !== null ? it.lite : it.markup;
  return out + parts.tail;
}

/**
 * Drawings with more elements than this put only the items near the viewport into the page
 * (itemsIn): the browser's style, layout and paint of a whole 800-box picture (45,000 SVG
 * elements) was a noticeable wait, however little of it was on screen.
 */
export const WINDOW_MIN_ITEMS = 1500;
/** Below this zoom, boxes are drawn without their text, ports and tooltips (unreadable anyway). */
export const LITE_SCALE = 0.3;

/** A rectangle in layout coordinates. */
export interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The items that lie at least partly inside `r`, in drawing order (edges under boxes). */
export function itemsIn(parts: SvgParts, r: Region): SvgItem[] {
  return parts.items.filter(
    (it) => it.x <= r.x1 && it.x + it.w >= r.x0 && it.y <= r.y1 && it.y + it.h >= r.y0,
  );
}

/** An expanded group's frame as drawn: where, its label, and what its tooltip says. */
export interface FrameDrawing extends GroupFrame {
  label: string;
  title: string;
  /** Drawn with a collapse chevron (an interactive view), or its label alone (a file). */
  collapsible: boolean;
}

/**
 * renderSvg in pieces; see SvgParts. `what` names the graph in the header (default: its
 * backward() call); `frames` are drawn under everything else.
 */
export function renderSvgParts(
  snapshot: GraphSnapshot,
  layout: ElkNode,
  what?: string,
  frames: readonly FrameDrawing[] = [],
): SvgParts {
  const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const outputs = new Set(snapshot.outputs);
  const header = headerText(snapshot, what);
  // Frames may reach a little past the layout's edges: the drawing makes room.
  const left = MARGIN + Math.max(0, ...frames.map((f) => -f.x));
  const top = MARGIN + HEADER + Math.max(0, ...frames.map((f) => -f.y));
  const right = Math.max(layout.width ?? 0, ...frames.map((f) => f.x + f.w));
  const bottom = Math.max(layout.height ?? 0, ...frames.map((f) => f.y + f.h));
  const width = Math.ceil(Math.max(right + left, header.length * CHAR_WIDTH + MARGIN) + MARGIN);
  const height = Math.ceil(bottom + top + MARGIN);
  const head = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="ui-monospace, Menlo, Consolas, 'DejaVu Sans Mono', monospace" font-size="${FONT_SIZE}">`,
    '<defs><marker id="gl-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>',
    '<rect class="gl-bg" width="100%" height="100%" fill="#ffffff"/>',
    `<text class="gl-header" x="${MARGIN}" y="${MARGIN + 8}" fill="#333">${escapeXml(header)}</text>`,
    `<g class="gl-graph" transform="translate(${left},${top})">`,
    '',
  ].join('\n');
  // Frames under everything, their headers over the edges that enter them.
  const items: SvgItem[] = frames.map((f) => ({ ...frameItem(f), ...renderFrameBox(f) }));
  // Then edges, so that boxes are drawn over them.
  for (const e of layout.edges ?? []) {
    const dashed = e.id.includes('->') && byId.get(e.id.split('->')[0])?.kind === 'saved';
    const markup = `<path class="gl-edge" data-id="${escapeXml(e.id)}" d="${edgePath(e)}" fill="none" stroke="#444" stroke-width="1.2"${dashed ? ' stroke-dasharray="4 3"' : ''} marker-end="url(#gl-arrow)"/>\n`;
    items.push({ kind: 'edge', id: e.id, ...edgeBox(e), name: null, markup, lite: null });
  }
  for (const f of frames) items.push({ ...frameItem(f), h: FRAME_HEADER, ...renderFrameHeader(f) });
  for (const c of layout.children ?? []) {
    const box = { x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? 0, h: c.height ?? 0 };
    const n = byId.get(c.id);
    if (n === undefined) {
      const of = proxiedNode(c.id);
      if (of !== null)
        items.push({
          kind: 'proxy',
          id: of,
          ...box,
          name: null,
          markup: `${renderProxy(snapshot, of, c)}\n`,
          lite: null,
        });
      continue;
    }
    const [markup, lite] = renderNode(snapshot, n, c, outputs.has(n.id));
    items.push({
      kind: 'node',
      id: n.id,
      ...box,
      name: displayName(n),
      markup: `${markup}\n`,
      lite: `${lite}\n`,
    });
  }
  return { head, tail: '</g></svg>', width, height, originX: left, originY: top, items };
}

function edgeBox(e: ElkExtendedEdge): { x: number; y: number; w: number; h: number } {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const s of e.sections ?? []) {
    for (const p of [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]) {
      x0 = Math.min(x0, p.x);
      y0 = Math.min(y0, p.y);
      x1 = Math.max(x1, p.x);
      y1 = Math.max(y1, p.y);
    }
  }
  return x0 === Infinity ? { x: 0, y: 0, w: 0, h: 0 } : { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

function headerText(
  s: GraphSnapshot,
  what = `${s.trigger === 'backward' ? 'backward()' : 'autograd.grad()'} #${s.index}`,
): string {
  const fns = s.nodes.filter((n) => n.kind === 'function').length;
  const parts = [what, `${fns} function nodes`];
  if (s.collapsed)
    parts.push(
      s.nodes.some((n) => isGroupId(n.id))
        ? 'module calls and repeated blocks collapsed (dashed boxes)'
        : 'collapsed by module (graph over the size limit)',
    );
  if (s.anomalies.length) parts.push(`NaN/Inf: ${s.anomalies[0].message}`);
  return parts.join(' · ');
}

/** A node's markup, in full and as the box alone. */
function renderNode(
  snapshot: GraphSnapshot,
  n: GraphNode,
  c: ElkNode,
  isOutput: boolean,
): [string, string] {
  const x = c.x ?? 0;
  const y = c.y ?? 0;
  const w = c.width ?? 0;
  const h = c.height ?? 0;
  const flagged = isFlagged(n);
  const group = isGroupId(n.id);
  // A collapsed group: its own class (the webview expands it on click) and a lilac fill.
  const classes = group ? ['gl-node', 'gl-group'] : ['gl-node', `gl-${n.kind}`];
  if (flagged) classes.push('gl-flagged');
  if (isOutput) classes.push('gl-output');
  const stroke = flagged ? FLAG_COLOR : '#333';
  const rx = n.kind === 'function' || n.kind === 'accumulate' ? 6 : 0;
  const open = `<g class="${classes.join(' ')}" data-id="${escapeXml(n.id)}" data-name="${escapeXml(displayName(n))}" transform="translate(${x},${y})">`;
  const rect = `<rect width="${w}" height="${h}" rx="${rx}" fill="${group ? GROUP_FILL : nodeFill(n)}" stroke="${stroke}" stroke-width="${flagged ? 2.5 : group ? 1.5 : 1}"${group ? ' stroke-dasharray="6 2"' : ''}/>`;
  const parts = [open, `<title>${escapeXml(nodeTitle(n))}</title>`, rect];
  boxLines(snapshot, n).forEach((line, i) => {
    const weight = i === 0 ? ' font-weight="bold"' : '';
    const red =
      flagged && /NaN|Inf/.test(line) ? ` class="gl-nan" fill="${FLAG_COLOR}"` : ' fill="#111"';
    parts.push(
      `<text x="${PAD_X}" y="${PAD_Y + (i + 1) * LINE_HEIGHT - 4}"${weight}${red}>${escapeXml(line)}</text>`,
    );
  });
  for (const p of c.ports ?? []) {
    const slot = n.next.findIndex((_, i) => inPortId(n.id, i) === p.id);
    if (slot < 0) continue;
    const from = n.next[slot];
    const none = from === null;
    const shared = from !== null && isShared(snapshot, from.id);
    const px = p.x ?? 0;
    const py = p.y ?? 0;
    const what = none
      ? ': None (no gradient needed)'
      : shared
        ? `: ${proxyLabel(snapshot, from.id)} (shared, drawn once with one edge)`
        : '';
    // Input ports sit on the top edge, or on the bottom one in a root-top layout.
    const labelY = py > (c.height ?? 0) / 2 ? py + PORT_SIZE + 9 : py - 1;
    parts.push(
      `<rect class="gl-port" x="${px}" y="${py}" width="${PORT_SIZE}" height="${PORT_SIZE}" fill="${none ? '#fff' : '#444'}" stroke="#444"><title>input ${slot}${escapeXml(what)}</title></rect>`,
      `<text class="gl-port-label" x="${px + PORT_SIZE + 2}" y="${labelY}" font-size="9" fill="#555">${slot}</text>`,
    );
  }
  const loc = formatLocation(n);
  if (loc !== null && n.kind !== 'function') parts.push(`<desc>${escapeXml(loc)}</desc>`);
  parts.push('</g>');
  return [parts.join(''), `${open}${rect}</g>`];
}

/** A stand-in for a node used by many consumers: same name, dashed, pointing at the original. */
function renderProxy(snapshot: GraphSnapshot, of: string, c: ElkNode): string {
  const label = `↑ ${proxyLabel(snapshot, of)}`;
  return (
    `<g class="gl-proxy" data-of="${escapeXml(of)}" transform="translate(${c.x ?? 0},${c.y ?? 0})"><title>${escapeXml(`${label.slice(2)}: used again here (drawn once elsewhere)`)}</title>` +
    `<rect width="${c.width ?? 0}" height="${c.height ?? 0}" rx="6" fill="#f4f4f4" stroke="#777" stroke-dasharray="3 2"/>` +
    `<text x="${PAD_X}" y="${PAD_Y + LINE_HEIGHT - 4}" fill="#333">${escapeXml(label)}</text></g>`
  );
}

function frameItem(f: FrameDrawing): Omit<SvgItem, 'markup' | 'lite'> {
  return { kind: 'frame', id: f.id, x: f.x, y: f.y, w: f.w, h: f.h, name: null };
}

/** An expanded group's frame: a light box around its contents. */
function renderFrameBox(f: FrameDrawing): { markup: string; lite: string } {
  const markup = `<rect class="gl-frame" data-group="${escapeXml(f.id)}" x="${f.x}" y="${f.y}" width="${f.w}" height="${f.h}" rx="8" fill="${GROUP_FILL}" fill-opacity="0.35" stroke="#8878b8"/>\n`;
  return { markup, lite: markup };
}

/**
 * Its header: the label, after a collapse chevron when the group can be collapsed (the
 * chevron and label then collapse it on a click). A picture saved to a file gets the label
 * alone, in the same place, and the group's name and size as its tooltip.
 */
function renderFrameHeader(f: FrameDrawing): { markup: string; lite: string } {
  const id = escapeXml(f.id);
  const label = escapeXml(frameLabel(f.label, f.w, f.collapsible));
  const text = `<text class="gl-frame-label" x="${f.collapsible ? 22 : 8}" y="${FRAME_HEADER - 7}" fill="#333" stroke="#fff" stroke-width="3" paint-order="stroke">${label}</text>`;
  const markup = f.collapsible
    ? `<g class="gl-frame-toggle" data-group="${id}" transform="translate(${f.x},${f.y})"><title>${escapeXml(`Collapse ${f.title}`)}</title>` +
      `<rect width="${f.w}" height="${FRAME_HEADER}" fill="transparent"/>` +
      `<path class="gl-chevron" d="M8,8 L12.5,13 L17,8" fill="none" stroke="#333" stroke-width="1.6"/>${text}</g>\n`
    : `<g class="gl-frame-header" data-group="${id}" transform="translate(${f.x},${f.y})"><title>${escapeXml(f.title)}</title>${text}</g>\n`;
  return { markup, lite: '' };
}
