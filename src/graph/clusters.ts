// Expanded groups as clusters: ELK lays out each one as a compound node around the boxes it
// shows, so a module's nodes stay together, and the result is flattened back into the one
// level the rest of the view works on (insertion, removal, drawing). Every expanded group
// whose boxes are together gets a frame: the rectangle around them with a header for its
// label and collapse chevron.
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { GraphDirection } from './direction';
import { CHAR_WIDTH, PORT_SIZE } from './elk';

/** Room of a frame around its contents, and its header (label and chevron) above them. */
const FRAME_PAD = 8;
export const FRAME_HEADER = 22;
/** Room for the input ports (and their numbers) beside the boxes' input edge. */
const PORT_ROOM = PORT_SIZE + 10;

/**
 * From a frame's edge to its contents, above and below. The header is always on top; the
 * input ports are on top with the leaves on top, and at the bottom with the root on top.
 */
function frameMargins(direction: GraphDirection): { top: number; bottom: number } {
  return direction === 'leaves-top'
    ? { top: FRAME_HEADER + PORT_ROOM, bottom: FRAME_PAD }
    : { top: FRAME_HEADER + FRAME_PAD, bottom: PORT_ROOM + FRAME_PAD };
}

/**
 * ELK's padding of a compound node: a little more than the frame's, so frames never touch.
 * ELK lays out leaves-top; a root-top layout is mirrored afterwards, so top and bottom swap.
 */
function clusterPadding(direction: GraphDirection): string {
  const m = frameMargins(direction);
  const [top, bottom] = direction === 'leaves-top' ? [m.top, m.bottom] : [m.bottom, m.top];
  const side = String(FRAME_PAD + 6);
  return `[top=${String(top + 6)},left=${side},bottom=${String(bottom + 6)},right=${side}]`;
}

/** The group directly holding a box of the view (null at the top); a proxy's is its consumer's. */
export type ContainerOf = (id: string) => string | null;

/**
 * The flat ELK input with each box moved into a compound node of its group (nested as the
 * groups are); edges stay at the root, in root coordinates.
 *
 * @example
 * const laid = flattenClusters(await elk.layout(nestClusters(toElkGraph(view), containerOf, parentOf)));
 */
export function nestClusters(
  graph: ElkNode,
  containerOf: ContainerOf,
  parentOf: (group: string) => string | null,
  direction: GraphDirection = 'leaves-top',
): ElkNode {
  const padding = clusterPadding(direction);
  const root: ElkNode = {
    ...graph,
    children: [],
    layoutOptions: {
      ...graph.layoutOptions,
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
    },
  };
  const clusters = new Map<string, ElkNode>();
  const holder = (group: string | null): ElkNode => {
    if (group === null) return root;
    let c = clusters.get(group);
    if (c === undefined) {
      c = { id: group, children: [], layoutOptions: { 'elk.padding': padding } };
      clusters.set(group, c);
      (holder(parentOf(group)).children ??= []).push(c);
    }
    return c;
  };
  for (const c of graph.children ?? []) (holder(containerOf(c.id)).children ??= []).push(c);
  return root;
}

/** ELK's result for nestClusters' input, back to one level: boxes and ports as the flat layout has them. */
export function flattenClusters(laid: ElkNode): ElkNode {
  const children: ElkNode[] = [];
  const visit = (n: ElkNode): void => {
    for (const c of n.children ?? []) {
      if (c.children !== undefined && c.ports === undefined) {
        visit(c);
        continue;
      }
      const x = c.x ?? 0;
      const y = c.y ?? 0;
      // Ports come in root coordinates too; the flat layout has them relative to their box.
      const ports = (c.ports ?? []).map((p) => ({ ...p, x: (p.x ?? 0) - x, y: (p.y ?? 0) - y }));
      children.push({ ...c, ports });
    }
  };
  visit(laid);
  return { ...laid, layoutOptions: undefined, children };
}

/** An expanded group's frame, in layout coordinates (the header is its top FRAME_HEADER pixels). */
export interface GroupFrame {
  id: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The frames of the expanded groups around the boxes they show, outermost first (the order
 * to draw them in). A frame that would cover a box from outside its group,
 * or cross another frame (a layout that did not keep the group together), is left out.
 */
export function groupFrames(
  layout: ElkNode,
  containerOf: ContainerOf,
  parentOf: (group: string) => string | null,
  direction: GraphDirection = 'leaves-top',
): GroupFrame[] {
  const margin = frameMargins(direction);
  const boxes = (layout.children ?? []).map((c) => ({
    id: c.id,
    group: containerOf(c.id),
    r: {
      x0: c.x ?? 0,
      y0: c.y ?? 0,
      x1: (c.x ?? 0) + (c.width ?? 0),
      y1: (c.y ?? 0) + (c.height ?? 0),
    },
  }));
  const content = new Map<string, Rect>();
  const depth = new Map<string, number>();
  const depthOf = (g: string): number => {
    let d = depth.get(g);
    if (d === undefined) {
      const p = parentOf(g);
      d = p === null ? 1 : depthOf(p) + 1;
      depth.set(g, d);
    }
    return d;
  };
  const groups = new Set<string>();
  for (const b of boxes) {
    if (b.group !== null) grow(content, b.group, b.r);
    for (let g = b.group; g !== null; g = parentOf(g)) groups.add(g);
  }
  // Innermost first: a group's frame (not just its boxes) is part of its parent's content.
  const ordered = [...groups].sort((a, b) => depthOf(b) - depthOf(a));
  const frameOf = new Map<string, Rect>();
  for (const g of ordered) {
    const c = content.get(g);
    if (c === undefined) continue;
    const f = {
      x0: c.x0 - FRAME_PAD,
      y0: c.y0 - margin.top,
      x1: c.x1 + FRAME_PAD,
      y1: c.y1 + margin.bottom,
    };
    frameOf.set(g, f);
    const p = parentOf(g);
    if (p !== null) grow(content, p, f);
  }
  const within = (id: string | null, g: string): boolean => {
    for (let c = id; c !== null; c = parentOf(c)) if (c === g) return true;
    return false;
  };
  const clean = [...frameOf].filter(
    ([g, f]) =>
      boxes.every((b) => !meets(f, b.r) || within(b.group, g)) &&
      [...frameOf].every(([h, o]) => !meets(f, o) || within(h, g) || within(g, h)),
  );
  return clean
    .reverse()
    .map(([id, f]) => ({ id, x: f.x0, y: f.y0, w: f.x1 - f.x0, h: f.y1 - f.y0 }));
}

function grow(map: Map<string, Rect>, key: string, r: Rect): void {
  const c = map.get(key);
  if (c === undefined) map.set(key, { ...r });
  else {
    c.x0 = Math.min(c.x0, r.x0);
    c.y0 = Math.min(c.y0, r.y0);
    c.x1 = Math.max(c.x1, r.x1);
    c.y1 = Math.max(c.y1, r.y1);
  }
}

function meets(a: Rect, b: Rect): boolean {
  return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
}

/** A frame's label cut to its width (a chevron takes the first two characters' room). */
export function frameLabel(label: string, width: number, chevron = true): string {
  const room = Math.floor((width - 2 * FRAME_PAD) / CHAR_WIDTH) - (chevron ? 2 : 0);
  if (label.length <= room) return label;
  return room <= 1 ? '' : `${label.slice(0, room - 1)}…`;
}
