// The stable removal: collapsing an expanded group without laying the graph out again, the
// inverse of the stable insertion (insertion.ts). The group's contents leave, its box (with the
// proxies feeding it) takes their place, and the gap closes the way the insertion opened it:
// what lies right of the group in its band moves left, what lies below moves up, each as one
// rigid block and only as far as it can go without coming closer to something that stays
// than the layout's own spacing. Everything above and left of the group stays exactly put.
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { PORT_SIZE, proxiedNode } from './elk';
import { fastLayout, type FastLayoutOptions } from './fast-layout';
import { must } from './must';
import {
  CLEAR,
  boxOf,
  hit,
  overlaps,
  packProxies,
  portNode,
  proxyFeeders,
  reroute,
  samePorts,
  translate,
  withPorts,
  type Box,
} from './placement';

/** Space kept between a node moving left and what it closes up to (the layouts' node spacing). */
const GAP_X = 24;
/** Space kept between a node moving up and what it closes up to (the layouts' layer spacing). */
const GAP_Y = 36;
/** Nodes this close side by side count as one column when the gap closes upwards. */
const SIDE_MARGIN = 12;
/** Places over the group's own nodes tried when its corner is taken (interleaved layouts). */
const MAX_CANDIDATES = 200;

/**
 * Where a group's box and the proxies feeding it stood before it was expanded: the box
 * relative to the top-left corner of the contents' region, each proxy (by the node it
 * stands for) relative to the box. Collapsing puts them back there when that place is free.
 */
export interface BoxShape {
  box: { x: number; y: number };
  proxies: Map<string, { x: number; y: number }>;
}

export interface Removal {
  layout: ElkNode;
  /** Where the group's contents were (see `groupRegion`), in the old layout. */
  region: Box;
  /** Where the group's box is now. */
  box: Box;
}

export interface RemovalOptions extends FastLayoutOptions {
  /** Where the box stood before the group was expanded (from `boxShape`). */
  shape?: BoxShape;
}

/**
 * The group's contents in a laid-out view (its nodes and groups at any depth, and the proxies
 * feeding them) and their region: the bounding box, with a port's height above and below as
 * the fast layout leaves around a layer, so inserting a laid-out group and removing it again
 * use the same rectangle.
 *
 * @example
 * const { region } = groupRegion(view.current!.layout, (id) => view.isInside(id, 'group:3'))!;
 */
export function groupRegion(
  layout: ElkNode,
  inside: (id: string) => boolean,
): { inner: Set<string>; region: Box } | null {
  const kids = layout.children ?? [];
  const inner = new Set<string>();
  for (const c of kids) if (proxiedNode(c.id) === null && inside(c.id)) inner.add(c.id);
  for (const e of layout.edges ?? []) {
    const s = portNode(e.sources[0]);
    if (proxiedNode(s) !== null && inner.has(portNode(e.targets[0]))) inner.add(s);
  }
  if (inner.size === 0) return null;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const c of kids) {
    if (!inner.has(c.id)) continue;
    const b = boxOf(c);
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.w);
    y1 = Math.max(y1, b.y + b.h);
  }
  return { inner, region: { x: x0, y: y0 - PORT_SIZE, w: x1 - x0, h: y1 - y0 + 2 * PORT_SIZE } };
}

/**
 * How group `groupId`'s box stood in `before` (collapsed) relative to its contents in `after`
 * (expanded), for `removeExpanded` to put it back. Null if either is missing.
 *
 * @example
 * const shape = boxShape(before.layout, after.layout, 'group:3', (id) => view.isInside(id, 'group:3'));
 */
export function boxShape(
  before: ElkNode,
  after: ElkNode,
  groupId: string,
  inside: (id: string) => boolean,
): BoxShape | null {
  const box = before.children?.find((c) => c.id === groupId);
  const r = groupRegion(after, inside);
  if (box === undefined || r === null) return null;
  const bx = box.x ?? 0;
  const by = box.y ?? 0;
  const proxies = new Map<string, { x: number; y: number }>();
  for (const [key, p] of proxyFeeders(before)) {
    const [of, target] = splitPair(key);
    if (target === groupId) proxies.set(of, { x: (p.x ?? 0) - bx, y: (p.y ?? 0) - by });
  }
  return { box: { x: bx - r.region.x, y: by - r.region.y }, proxies };
}

/**
 * `prev` is the laid-out view with group `groupId` expanded, `graph` the ELK input of the
 * view with it collapsed; `inside` tells whether a node or group id lies inside the group.
 * Returns null when the box cannot be placed without overlapping something (the caller
 * lays out afresh).
 *
 * @example
 * const r = removeExpanded(view.current!.layout, toElkGraph(collapsedView), 'group:3', (id) => view.isInside(id, 'group:3'));
 */
export function removeExpanded(
  prev: ElkNode,
  graph: ElkNode,
  groupId: string,
  inside: (id: string) => boolean,
  options: RemovalOptions = {},
): Removal | null {
  const found = groupRegion(prev, inside);
  if (found === null || !(graph.children ?? []).some((c) => c.id === groupId)) return null;
  const old = new Map((prev.children ?? []).map((c) => [c.id, c]));
  const ends = (graph.edges ?? []).map((e) => ({
    e,
    s: portNode(e.sources[0]),
    t: portNode(e.targets[0]),
  }));
  const box = layOutBox(graph, groupId, ends, old, options);
  const scene: Scene = {
    prev,
    graph,
    groupId,
    old,
    ends,
    ...found,
    ...sortStaying(graph, box, old, found.region),
  };
  const chosen = choosePlacement(scene, box, options.shape);
  if (chosen === null) return null;
  const delta = closeGap(scene, [...chosen.at.values()]);
  const placed = placeAll(scene, box, chosen, delta);
  if (placed === null) return null;
  const all = [...placed.values()];
  if (all.some((c) => (c.x ?? 0) < 0 || (c.y ?? 0) < 0) || overlaps(all)) return null;
  return {
    layout: {
      ...graph,
      x: 0,
      y: 0,
      ...sizeAfter(prev, all),
      children: all,
      edges: routeEdges(scene, box, chosen, delta, placed),
    },
    region: found.region,
    box: boxOf(must(placed.get(groupId), groupId)),
  };
}

interface EdgeEnds {
  e: ElkExtendedEdge;
  /** The nodes the edge leaves and enters. */
  s: string;
  t: string;
}

/** The box and the new proxies feeding it, laid out on their own like the insertion's contents. */
interface BoxLayout {
  /** Ids of the box and those proxies. */
  mini: Set<string>;
  laid: ElkNode;
  kids: Map<string, ElkNode>;
  /** The box in that layout, and the layout's top-left corner. */
  box: Box;
  x0: number;
  y0: number;
}

function layOutBox(
  graph: ElkNode,
  groupId: string,
  ends: readonly EdgeEnds[],
  old: ReadonlyMap<string, ElkNode>,
  options: FastLayoutOptions,
): BoxLayout {
  const mini = new Set([groupId]);
  for (const { s, t } of ends)
    if (t === groupId && proxiedNode(s) !== null && !old.has(s)) mini.add(s);
  const laid = fastLayout(
    {
      id: 'box',
      layoutOptions: graph.layoutOptions,
      children: (graph.children ?? []).filter((c) => mini.has(c.id)),
      edges: ends.filter(({ s, t }) => mini.has(s) && mini.has(t)).map(({ e }) => e),
    },
    options,
  );
  const laidKids = laid.children ?? [];
  let x0 = Infinity;
  let y0 = Infinity;
  for (const c of laidKids) {
    x0 = Math.min(x0, c.x ?? 0);
    y0 = Math.min(y0, c.y ?? 0);
  }
  const kids = new Map(laidKids.map((c) => [c.id, c]));
  return { mini, laid, kids, box: boxOf(must(kids.get(groupId), groupId)), x0, y0 };
}

/** A laid-out node that stays on screen, and where it was. */
interface Staying {
  c: ElkNode;
  b: Box;
}

/** What the removal works on: the old picture, the group's region, what stays and where. */
interface Scene {
  prev: ElkNode;
  graph: ElkNode;
  groupId: string;
  old: Map<string, ElkNode>;
  ends: EdgeEnds[];
  /** The group's contents in the old picture, and their region. */
  inner: Set<string>;
  region: Box;
  staying: Staying[];
  /** Below the region; right of it in its band; everything else (above and left). */
  below: Staying[];
  bandRight: Staying[];
  still: Staying[];
}

function sortStaying(
  graph: ElkNode,
  box: BoxLayout,
  old: ReadonlyMap<string, ElkNode>,
  region: Box,
): Pick<Scene, 'staying' | 'below' | 'bandRight' | 'still'> {
  const staying: Staying[] = [];
  for (const c of graph.children ?? []) {
    const o = old.get(c.id);
    if (!box.mini.has(c.id) && o !== undefined) staying.push({ c, b: boxOf(o) });
  }
  const where = (b: Box): 'below' | 'right' | 'still' =>
    b.y >= region.y + region.h
      ? 'below'
      : b.y + b.h > region.y && b.x >= region.x + region.w
        ? 'right'
        : 'still';
  return {
    staying,
    below: staying.filter(({ b }) => where(b) === 'below'),
    bandRight: staying.filter(({ b }) => where(b) === 'right'),
    still: staying.filter(({ b }) => where(b) === 'still'),
  };
}

/** Where the box and its proxies go; `rigid` when they keep their own layout's shape (and routes). */
interface Placement {
  at: Map<string, Box>;
  rigid: boolean;
}

/**
 * Where the box goes, first choice first: where it stood before the group was expanded
 * (its proxies too); at the region's corner with its proxies above it, or inside the region
 * under them; else (another group's nodes share the region, as in a flat ELK layout) over
 * one of the group's nodes, right below its inputs, or in the first free gap of one of its
 * rows, inside the region, then sticking out of it (what is right and below then makes
 * room), with the proxies packed in rows above the box wherever they find room. A place
 * must not touch anything that stays; of those, the first where data flows down wins.
 */
function choosePlacement(
  scene: Scene,
  box: BoxLayout,
  shape: BoxShape | undefined,
): Placement | null {
  const { groupId, region, old } = scene;
  const x0 = region.x;
  const y0 = region.y;
  const x1 = region.x + region.w;
  const y1 = region.y + region.h;
  const laidKids = [...box.kids.values()];
  const rigidAt = (px: number, py: number): Placement => ({
    at: new Map(
      laidKids.map((c) => [
        c.id,
        {
          x: px + (c.x ?? 0) - box.x0,
          y: py + (c.y ?? 0) - box.y0,
          w: c.width ?? 0,
          h: c.height ?? 0,
        },
      ]),
    ),
    rigid: true,
  });
  const boxOff = { x: box.box.x - box.x0, y: box.box.y - box.y0 };
  const candidates: (Placement | (() => Placement | null))[] = [];
  const before = shape === undefined ? null : formerPlace(shape, region, groupId, laidKids);
  if (before !== null) candidates.push(before);
  candidates.push(rigidAt(x0 - boxOff.x, y0 - boxOff.y), rigidAt(x0, y0));
  const loose = candidates.length;
  const reach =
    laidKids.reduce((m, c) => m + (c.width ?? 0) + (c.height ?? 0), 0) + region.w + region.h;
  const isNear = (b: Box): boolean =>
    b.x < x1 + reach && b.x + b.w > x0 - reach && b.y < y1 + reach && b.y + b.h > y0 - reach;
  const near = scene.still.map(({ b }) => b).filter(isNear);
  const nearAll = scene.staying.map(({ b }) => b).filter(isNear);
  const feeds = proxyFeeds(scene, box);
  const packedAt =
    (bx: number, by: number): (() => Placement | null) =>
    () => {
      const at = new Map<string, Box>([[groupId, { x: bx, y: by, w: box.box.w, h: box.box.h }]]);
      const packed = packProxies({ x: bx, y: by, w: box.box.w, h: box.box.h }, feeds, nearAll);
      if (packed === null) return null;
      for (const [id, b] of packed) at.set(id, b);
      return { at, rigid: false };
    };
  const { feeding, fed } = neighbours(scene);
  const innerBoxes = (scene.prev.children ?? [])
    .filter((c) => scene.inner.has(c.id))
    .map(boxOf)
    .sort((a, b) => a.y - b.y || a.x - b.x);
  const spots: { x: number; y: number }[] = [
    { x: x0, y: y0 + PORT_SIZE },
    { x: x0, y: y0 + boxOff.y },
  ];
  for (const b of innerBoxes.slice(0, MAX_CANDIDATES / 4))
    spots.push(
      { x: b.x, y: b.y },
      { x: b.x + b.w / 2 - box.box.w / 2, y: b.y },
      { x: b.x + b.w - box.box.w, y: b.y },
    );
  // Right below the lowest of its inputs, so that data can flow down into it.
  const flowY =
    [...feeding].reduce((m, id) => {
      const f = boxOf(must(old.get(id), id));
      return Math.max(m, f.y + f.h);
    }, -Infinity) + GAP_Y;
  if (flowY > y0)
    for (const b of innerBoxes.slice(0, MAX_CANDIDATES / 4))
      spots.push({ x: b.x, y: flowY }, { x: b.x + b.w / 2 - box.box.w / 2, y: flowY });
  // The first free gap from the group's left edge on in one of those rows.
  const rows = [...new Set([flowY, ...innerBoxes.map((b) => b.y)])]
    .filter((y) => y >= 0)
    .slice(0, MAX_CANDIDATES / 4);
  const gapSpots = (lo: number, hi: number): { x: number; y: number }[] =>
    rows.flatMap((y) => {
      const x = freeX(y, box.box, lo, hi, near);
      return x === null ? [] : [{ x, y }];
    });
  for (const p of [...spots, ...gapSpots(x0, x1)]) candidates.push(packedAt(p.x, p.y));
  const strict = candidates.length;
  for (const p of [...spots, ...gapSpots(x0, Infinity)]) candidates.push(packedAt(p.x, p.y));
  const fits = (p: Placement, i: number): boolean => {
    const b = must(p.at.get(groupId), groupId);
    // Its top within the group's rows: below them it would sit among the block that moves up.
    if (b.y >= y1) return false;
    if (i >= loose && i < strict && (b.x < x0 || b.y < y0 || b.x + b.w > x1 || b.y + b.h > y1))
      return false;
    for (const m of p.at.values()) {
      if (m.x < 0 || m.y < 0) return false;
      for (const o of near) if (hit(m, o, CLEAR)) return false;
    }
    return true;
  };
  // Flowing down: the box below what feeds it and above what it feeds (in an interleaved
  // layout the group's corner may lie above one of its inputs). Else the place where the
  // fewest edges go up.
  const against = (p: Placement): number => {
    const b = must(p.at.get(groupId), groupId);
    let n = 0;
    for (const id of feeding) {
      const f = boxOf(must(old.get(id), id));
      if (f.y + f.h > b.y) n++;
    }
    for (const id of fed) if (boxOf(must(old.get(id), id)).y < b.y + b.h) n++;
    return n;
  };
  let chosen: Placement | null = null;
  let worst = Infinity;
  for (let i = 0; i < candidates.length && worst > 0; i++) {
    const c = candidates[i];
    const p = typeof c === 'function' ? c() : c;
    if (p === null || !fits(p, i)) continue;
    const n = against(p);
    if (n < worst) {
      chosen = p;
      worst = n;
    }
  }
  return chosen;
}

/** The box and its proxies where they stood before the group was expanded, if each has a place. */
function formerPlace(
  shape: BoxShape,
  region: Box,
  groupId: string,
  laidKids: readonly ElkNode[],
): Placement | null {
  const bx = region.x + shape.box.x;
  const by = region.y + shape.box.y;
  const at = new Map<string, Box>();
  for (const c of laidKids) {
    const rel = c.id === groupId ? { x: 0, y: 0 } : shape.proxies.get(proxiedNode(c.id) ?? '');
    if (rel === undefined) return null;
    at.set(c.id, { x: bx + rel.x, y: by + rel.y, w: c.width ?? 0, h: c.height ?? 0 });
  }
  return { at, rigid: false };
}

/** The proxies feeding the box, in the order of the box ports they feed, left to right. */
function proxyFeeds(
  scene: Scene,
  box: BoxLayout,
): { id: string; port: number; w: number; h: number }[] {
  const boxPorts = new Map(
    withPorts(must(box.kids.get(scene.groupId), scene.groupId)).map((p) => [
      p.id,
      (p.x ?? 0) + PORT_SIZE / 2,
    ]),
  );
  const feeds = scene.ends
    .filter(({ s, t }) => t === scene.groupId && box.mini.has(s))
    .map(({ e, s }) => {
      const proxy = must(box.kids.get(s), s);
      return {
        id: s,
        port: boxPorts.get(e.targets[0]) ?? 0,
        w: proxy.width ?? 0,
        h: proxy.height ?? 0,
      };
    });
  return feeds.sort((a, b) => a.port - b.port);
}

/** The staying nodes that feed the box and those it feeds. */
function neighbours(scene: Scene): { feeding: Set<string>; fed: Set<string> } {
  const feeding = new Set<string>();
  const fed = new Set<string>();
  for (const { s, t } of scene.ends) {
    if (t === scene.groupId && scene.old.has(s)) feeding.add(s);
    if (s === scene.groupId && scene.old.has(t)) fed.add(t);
  }
  return { feeding, fed };
}

/**
 * How far each staying node moves to close the gap: first sideways (the band right of the
 * group), then upwards (all below), each block as far as it may go without coming closer
 * than the layout's spacing to what stays (or closer than it already was). Where the box and
 * its proxies (`boxes`) stick out of the region, the same rule pushes the block past them
 * instead.
 */
function closeGap(scene: Scene, boxes: readonly Box[]): Map<string, { x: number; y: number }> {
  const { region, still, below, bandRight, staying } = scene;
  const x0 = region.x;
  const y0 = region.y;
  const x1 = region.x + region.w;
  const y1 = region.y + region.h;
  const delta = new Map<string, { x: number; y: number }>();
  for (const { c } of staying) delta.set(c.id, { x: 0, y: 0 });
  const moveOf = (id: string): { x: number; y: number } => must(delta.get(id), id);
  let dx = Math.max(
    0,
    x1 - boxes.reduce((r, b) => (b.y < y1 && b.y + b.h > y0 ? Math.max(r, b.x + b.w) : r), x0),
  );
  if (bandRight.length > 0) {
    const minX = bandRight.reduce((m, { b }) => Math.min(m, b.x), Infinity);
    const top = bandRight.reduce((m, { b }) => Math.min(m, b.y), Infinity);
    const bottom = bandRight.reduce((m, { b }) => Math.max(m, b.y + b.h), -Infinity);
    const close = (b: Box): boolean =>
      b.x + b.w > minX - dx - GAP_X && b.y < bottom && b.y + b.h > top;
    const stays = [...still, ...below].map(({ b }) => b).filter(close);
    const box = boxes.filter(close);
    for (const { b: m } of bandRight) {
      const rowWith = (s: Box): boolean => s.y < m.y + m.h && m.y < s.y + s.h;
      for (const s of stays)
        if (rowWith(s) && s.x + s.w <= m.x) dx = Math.min(dx, Math.max(0, m.x - s.x - s.w - GAP_X));
      for (const s of box) if (rowWith(s)) dx = Math.min(dx, m.x - s.x - s.w - GAP_X);
    }
  }
  for (const { c } of bandRight) moveOf(c.id).x = -dx;
  let dy = Math.max(0, y1 - boxes.reduce((r, b) => Math.max(r, b.y + b.h), y0));
  if (below.length > 0) {
    const moved = (c: ElkNode, b: Box): Box => ({ ...b, x: b.x + moveOf(c.id).x });
    const reachable = (b: Box): boolean => b.y + b.h > y1 - dy - GAP_Y;
    const stays = [...still, ...bandRight].map(({ c, b }) => moved(c, b)).filter(reachable);
    const box = boxes.filter(reachable);
    const lowest =
      [...stays, ...box].reduce((r, b) => Math.max(r, b.y + b.h), -Infinity) + dy + GAP_Y;
    for (const { b: m } of below) {
      if (m.y >= lowest) continue;
      const columnWith = (s: Box): boolean =>
        m.x < s.x + s.w + SIDE_MARGIN && s.x < m.x + m.w + SIDE_MARGIN;
      for (const s of stays)
        if (columnWith(s) && s.y + s.h <= m.y)
          dy = Math.min(dy, Math.max(0, m.y - s.y - s.h - GAP_Y));
      for (const s of box) if (columnWith(s)) dy = Math.min(dy, m.y - s.y - s.h - GAP_Y);
    }
  }
  for (const { c } of below) moveOf(c.id).y = -dy;
  return delta;
}

/**
 * Every node of the new view placed: the box and its proxies, what stays (moved), and
 * proxies renamed because their consumer's input slots were renumbered (its inputs from the
 * group merged into one) where the old proxy of the same source into the same node stood.
 * Null if such a proxy has no consumer to stand by.
 */
function placeAll(
  scene: Scene,
  box: BoxLayout,
  chosen: Placement,
  delta: ReadonlyMap<string, { x: number; y: number }>,
): Map<string, ElkNode> | null {
  const placed = new Map<string, ElkNode>();
  const proxyTarget = new Map<string, { t: string; port: string }>();
  for (const { e, s, t } of scene.ends)
    if (proxiedNode(s) !== null) proxyTarget.set(s, { t, port: e.targets[0] });
  const later: ElkNode[] = [];
  for (const c of scene.graph.children ?? []) {
    const m = chosen.at.get(c.id);
    if (m !== undefined) {
      const ports = chosen.rigid ? must(box.kids.get(c.id), c.id).ports : withPorts(c);
      placed.set(c.id, { ...c, x: m.x, y: m.y, ports });
      continue;
    }
    const o = scene.old.get(c.id);
    if (o !== undefined) {
      const d = must(delta.get(c.id), c.id);
      placed.set(c.id, {
        ...c,
        x: (o.x ?? 0) + d.x,
        y: (o.y ?? 0) + d.y,
        ports: samePorts(o, c) ? o.ports : withPorts(c),
      });
      continue;
    }
    placed.set(c.id, c);
    later.push(c);
  }
  const feeders = proxyFeeders(scene.prev);
  for (const c of later) {
    const pt = proxyTarget.get(c.id);
    const tn = pt === undefined ? undefined : placed.get(pt.t);
    if (pt === undefined || tn === undefined) return null;
    const f = feeders.get(`${proxiedNode(c.id) ?? ''}>${pt.t}`);
    const d = delta.get(pt.t);
    if (f !== undefined && d !== undefined) {
      placed.set(c.id, {
        ...c,
        x: (f.x ?? 0) + d.x,
        y: (f.y ?? 0) + (f.height ?? 0) - (c.height ?? 0) + d.y,
        ports: withPorts(c),
      });
      continue;
    }
    const px = tn.ports?.find((q) => q.id === pt.port)?.x ?? 0;
    placed.set(c.id, {
      ...c,
      x: (tn.x ?? 0) + px + PORT_SIZE / 2 - (c.width ?? 0) / 2,
      y: (tn.y ?? 0) - PORT_SIZE - 12 - (c.height ?? 0),
      ports: withPorts(c),
    });
  }
  return placed;
}

/**
 * Edges: inside the box's own layout as laid out; between two nodes that moved together,
 * the old route moved along; anything else routed afresh.
 */
function routeEdges(
  scene: Scene,
  box: BoxLayout,
  chosen: Placement,
  delta: ReadonlyMap<string, { x: number; y: number }>,
  placed: ReadonlyMap<string, ElkNode>,
): ElkExtendedEdge[] {
  const oldEdges = new Map((scene.prev.edges ?? []).map((e) => [e.id, e]));
  const miniEdges = new Map((box.laid.edges ?? []).map((e) => [e.id, e]));
  const at = must(chosen.at.get(scene.groupId), scene.groupId);
  const shift = chosen.rigid ? { x: at.x - box.box.x, y: at.y - box.box.y } : null;
  return scene.ends.map(({ e, s, t }) => {
    const me = miniEdges.get(e.id);
    if (me !== undefined && shift !== null)
      return { ...e, sections: translate(me, shift.x, shift.y) };
    return { ...e, sections: reroute(e, s, t, oldEdges, delta, scene.old, placed) };
  });
}

/** The picture shrinks with the gap, keeping the old layout's margin right and below. */
function sizeAfter(prev: ElkNode, all: readonly ElkNode[]): { width: number; height: number } {
  const right = (nodes: readonly ElkNode[]): number =>
    nodes.reduce((m, c) => Math.max(m, (c.x ?? 0) + (c.width ?? 0)), 0);
  const bottom = (nodes: readonly ElkNode[]): number =>
    nodes.reduce((m, c) => Math.max(m, (c.y ?? 0) + (c.height ?? 0)), 0);
  const oldKids = prev.children ?? [];
  const padX = Math.max(0, (prev.width ?? 0) - right(oldKids));
  const padY = Math.max(PORT_SIZE, (prev.height ?? 0) - bottom(oldKids));
  return { width: right(all) + padX, height: bottom(all) + padY };
}

/**
 * Where a box of `size` fits in the row at `y` between `lo` and `hi` without coming near any
 * obstacle: the free place closest to `lo`. Null if there is none.
 */
function freeX(
  y: number,
  size: Box,
  lo: number,
  hi: number,
  obstacles: readonly Box[],
): number | null {
  const inRow = obstacles
    .filter((b) => b.y < y + size.h + CLEAR && b.y + b.h > y - CLEAR)
    .sort((a, b) => a.x - b.x);
  let x = lo;
  for (const b of inRow) {
    if (b.x + b.w + CLEAR <= x) continue;
    if (b.x - CLEAR >= x + size.w) break;
    x = b.x + b.w + CLEAR + 1;
  }
  return x + size.w <= hi ? x : null;
}

function splitPair(key: string): [string, string] {
  const i = key.lastIndexOf('>');
  return [key.slice(0, i), key.slice(i + 1)];
}
