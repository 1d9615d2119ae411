// The stable insertion: expanding a collapsed group without laying the graph out again. Only
// the group's contents are laid out; they go where the box was, what lies below it moves
// down and what lies beside it (to the right, in the same band) moves right, each by the
// growth of the box, so everything else stays where it was on screen. removal.ts is the inverse.
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { PORT_SIZE, proxiedNode } from './elk';
import { fastLayout, type FastLayoutOptions } from './fast-layout';
import { must } from './must';
import {
  boxOf,
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

/**
 * The stable insertion: `graph` is the new view's ELK input, `prev` the laid-out old view,
 * `box` the expanded group's node in it. Returns null when the result would overlap.
 *
 * @example
 * const laid = insertExpanded(prev.layout, toElkGraph(expandedView), box, (id) => view.isInside(id, box.id));
 */
export function insertExpanded(
  prev: ElkNode,
  graph: ElkNode,
  box: ElkNode,
  inside: (id: string) => boolean,
  run: FastLayoutOptions = {},
): ElkNode | null {
  const old = new Map((prev.children ?? []).map((c) => [c.id, c]));
  const ends = (graph.edges ?? []).map((e) => ({
    e,
    s: portNode(e.sources[0]),
    t: portNode(e.targets[0]),
  }));
  const proxyTarget = new Map<string, { t: string; port: string }>();
  for (const { e, s, t } of ends)
    if (proxiedNode(s) !== null) proxyTarget.set(s, { t, port: e.targets[0] });
  const inner = contents(graph, old, proxyTarget, inside);
  const laid = fastLayout(
    {
      id: 'inner',
      layoutOptions: graph.layoutOptions,
      children: (graph.children ?? []).filter((c) => inner.has(c.id)),
      edges: ends.filter(({ s, t }) => inner.has(s) && inner.has(t)).map(({ e }) => e),
    },
    run,
  );
  const B = boxOf(box);
  const dy = Math.max(0, (laid.height ?? 0) - B.h);
  const scene: Scene = {
    prev,
    old,
    inner,
    proxyTarget,
    laid,
    B,
    shift: shiftBy(B, Math.max(0, (laid.width ?? 0) - B.w), dy),
  };
  const { placed, moved, atFeeder } = placeAll(scene, graph);
  aimNewProxies(scene, placed, atFeeder);
  if (overlaps([...placed.values()])) return null;

  const oldEdges = new Map((prev.edges ?? []).map((e) => [e.id, e]));
  const innerEdges = new Map((laid.edges ?? []).map((e) => [e.id, e]));
  const edges: ElkExtendedEdge[] = ends.map(({ e, s, t }) => {
    const ie = innerEdges.get(e.id);
    if (ie !== undefined) return { ...e, sections: translate(ie, B.x, B.y) };
    return { ...e, sections: reroute(e, s, t, oldEdges, moved, old, placed) };
  });
  let width = 0;
  let height = 0;
  for (const c of placed.values()) {
    width = Math.max(width, (c.x ?? 0) + (c.width ?? 0));
    height = Math.max(height, (c.y ?? 0) + (c.height ?? 0) + PORT_SIZE);
  }
  return {
    ...graph,
    x: 0,
    y: 0,
    width: Math.max(width, prev.width ?? 0),
    height: Math.max(height, (prev.height ?? 0) + dy),
    children: [...placed.values()],
    edges,
  };
}

interface Scene {
  prev: ElkNode;
  old: Map<string, ElkNode>;
  /** The group's contents: its nodes and groups, and new proxies feeding them. */
  inner: Set<string>;
  /** Each proxy's consumer and the port it enters. */
  proxyTarget: Map<string, { t: string; port: string }>;
  /** The contents laid out on their own, and the box they replace. */
  laid: ElkNode;
  B: Box;
  /** How far an old node at a given place moves: down if below the box, right if beside it. */
  shift: (c: Box) => { x: number; y: number };
}

function contents(
  graph: ElkNode,
  old: ReadonlyMap<string, ElkNode>,
  proxyTarget: ReadonlyMap<string, { t: string }>,
  inside: (id: string) => boolean,
): Set<string> {
  const inner = new Set<string>();
  for (const c of graph.children ?? []) if (!old.has(c.id) && inside(c.id)) inner.add(c.id);
  for (const [p, { t }] of proxyTarget) if (!old.has(p) && inner.has(t)) inner.add(p);
  return inner;
}

function shiftBy(B: Box, dx: number, dy: number): (c: Box) => { x: number; y: number } {
  return (c) => {
    if (c.y >= B.y + B.h) return { x: 0, y: dy };
    if (c.y < B.y + B.h && c.y + c.h > B.y && c.x >= B.x + B.w) return { x: dx, y: 0 };
    return { x: 0, y: 0 };
  };
}

/**
 * Every node of the new view: the contents where the box was, old nodes shifted, and new
 * proxies outside the group where the old feeder of their target's port stood (else right
 * above that port, to be re-aimed). Also how each old node moved and which proxies found
 * their old feeder's place.
 */
function placeAll(
  scene: Scene,
  graph: ElkNode,
): {
  placed: Map<string, ElkNode>;
  moved: Map<string, { x: number; y: number }>;
  atFeeder: Set<string>;
} {
  const { old, inner, proxyTarget, B, shift } = scene;
  // Where each old input port was fed from, to place new proxies where the old ones stood.
  const oldPortNode = new Map<string, string>();
  for (const c of scene.prev.children ?? [])
    for (const p of c.ports ?? []) oldPortNode.set(p.id, c.id);
  const oldFeeder = new Map<string, ElkNode>();
  for (const e of scene.prev.edges ?? []) {
    const n = old.get(oldPortNode.get(e.sources[0]) ?? e.sources[0]);
    if (n !== undefined) oldFeeder.set(e.targets[0], n);
  }
  // Better: the old proxy of the same source into the same node (slots renumber when a
  // neighbour's inputs merge or split, and a port's old feeder is then another source's).
  const pairFeeder = proxyFeeders(scene.prev);
  const atFeeder = new Set<string>();
  const placed = new Map<string, ElkNode>();
  const moved = new Map<string, { x: number; y: number }>();
  const laidInner = new Map((scene.laid.children ?? []).map((c) => [c.id, c]));
  for (const c of graph.children ?? []) {
    const li = laidInner.get(c.id);
    if (li !== undefined) {
      placed.set(c.id, { ...li, x: (li.x ?? 0) + B.x, y: (li.y ?? 0) + B.y });
      continue;
    }
    const o = old.get(c.id);
    if (o !== undefined) {
      const d = shift(boxOf(o));
      moved.set(c.id, d);
      placed.set(c.id, {
        ...c,
        x: (o.x ?? 0) + d.x,
        y: (o.y ?? 0) + d.y,
        ports: samePorts(o, c) ? o.ports : withPorts(c),
      });
      continue;
    }
    // A new node outside the group: a proxy (the only kind) where the old feeder of its
    // target's port stood, else right above that port.
    const pt = proxyTarget.get(c.id);
    // (A port fed by the real node before stays with it: that node is still where it was.)
    const byPort = pt === undefined ? undefined : oldFeeder.get(pt.port);
    const feeder =
      pt === undefined
        ? undefined
        : (pairFeeder.get(`${proxiedNode(c.id) ?? ''}>${pt.t}`) ??
          (byPort !== undefined && proxiedNode(byPort.id) !== null ? byPort : undefined));
    if (feeder !== undefined && pt !== undefined && !inner.has(pt.t)) {
      atFeeder.add(c.id);
      const tOld = old.get(pt.t);
      const d = tOld === undefined ? { x: 0, y: 0 } : shift(boxOf(tOld));
      placed.set(c.id, {
        ...c,
        x: (feeder.x ?? 0) + d.x,
        y: (feeder.y ?? 0) + (feeder.height ?? 0) - (c.height ?? 0) + d.y,
        ports: withPorts(c),
      });
    } else
      placed.set(c.id, {
        ...c,
        x: B.x,
        y: B.y + (scene.laid.height ?? 0),
        ports: withPorts(c),
      });
  }
  return { placed, moved, atFeeder };
}

/**
 * Proxies placed above a target that had not been placed yet were given a guess; re-aim
 * them: in rows above their consumer, where there is room (a consumer whose first input from
 * a source moved into the group now gets proxies of it, for each of its ports).
 */
function aimNewProxies(
  scene: Scene,
  placed: Map<string, ElkNode>,
  atFeeder: ReadonlySet<string>,
): void {
  const waiting = new Map<string, { id: string; port: number; w: number; h: number }[]>();
  for (const [p, { t, port }] of scene.proxyTarget) {
    const n = placed.get(p);
    const tn = placed.get(t);
    if (
      n === undefined ||
      tn === undefined ||
      scene.old.has(p) ||
      scene.inner.has(p) ||
      atFeeder.has(p)
    )
      continue;
    const px = tn.ports?.find((q) => q.id === port)?.x ?? 0;
    const feed = { id: p, port: px + PORT_SIZE / 2, w: n.width ?? 0, h: n.height ?? 0 };
    const list = waiting.get(t);
    if (list === undefined) waiting.set(t, [feed]);
    else list.push(feed);
  }
  for (const [t, feeds] of waiting) {
    const tb = boxOf(must(placed.get(t), t));
    feeds.sort((a, b) => a.port - b.port);
    const mine = new Set(feeds.map((f) => f.id));
    const reach = feeds.reduce((s, f) => s + f.w + f.h, 0) + tb.w;
    const obstacles = [...placed.values()]
      .filter((c) => !mine.has(c.id))
      .map(boxOf)
      .filter(
        (b) =>
          b.x < tb.x + tb.w + reach &&
          b.x + b.w > tb.x - reach &&
          b.y < tb.y + tb.h &&
          b.y + b.h > tb.y - reach,
      );
    const packed = packProxies(tb, feeds, obstacles);
    for (const f of feeds) {
      const n = must(placed.get(f.id), f.id);
      const b = packed?.get(f.id);
      placed.set(f.id, {
        ...n,
        x: b?.x ?? tb.x + f.port - f.w / 2,
        y: b?.y ?? tb.y - PORT_SIZE - 12 - f.h,
      });
    }
  }
}
