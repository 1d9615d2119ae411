// Geometry shared by the stable insertion (expand) and the stable removal (collapse): boxes,
// ports recomputed for a node whose ports changed, moving old edge routes, routing new edges,
// and the overlap test that decides whether an incremental result can be used.
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api';
import { PORT_SIZE, outPortId, proxiedNode } from './elk';
import { portPositions } from './fast-layout';

/** Room kept around a box placed into a laid-out picture. */
export const CLEAR = 4;
/** Rows of proxies above a box placed among other nodes, and the space between two of them. */
const PROXY_ROWS = 2;
const PROXY_GAP = 24;

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A laid-out node's rectangle. @example boxOf({ id: 'n0', x: 1, y: 2, width: 3, height: 4 }) // { x: 1, y: 2, w: 3, h: 4 } */
export const boxOf = (c: ElkNode): Box => ({
  x: c.x ?? 0,
  y: c.y ?? 0,
  w: c.width ?? 0,
  h: c.height ?? 0,
});

/** A node's ports at the positions the fast layout gives them (for nodes placed without a layout run). */
export function withPorts(c: ElkNode): ElkPort[] {
  const pos = portPositions(c);
  return (c.ports ?? []).map((p) => ({ ...p, ...pos.get(p.id) }));
}

/** Whether the old laid-out node `o` can keep its port positions as the new node `c`. */
export function samePorts(o: ElkNode, c: ElkNode): boolean {
  return (
    o.width === c.width &&
    (o.ports?.length ?? 0) === (c.ports?.length ?? 0) &&
    (o.ports ?? []).every((p, i) => p.id === c.ports?.[i].id)
  );
}

/** Same port ids at the same places: an edge route between such nodes can be moved as is. */
export function samePortsById(a: ElkNode, b: ElkNode): boolean {
  return (
    a.ports === b.ports ||
    ((a.ports?.length ?? 0) === (b.ports?.length ?? 0) &&
      (a.ports ?? []).every((p, i) => {
        const q = b.ports?.[i];
        return p.id === q?.id && p.x === q.x && p.y === q.y;
      }))
  );
}

/** An edge's route moved by (dx, dy). */
export function translate(e: ElkExtendedEdge, dx: number, dy: number): ElkExtendedEdge['sections'] {
  const t = (p: { x: number; y: number }) => ({ x: p.x + dx, y: p.y + dy });
  return (e.sections ?? []).map((s) => ({
    ...s,
    startPoint: t(s.startPoint),
    endPoint: t(s.endPoint),
    bendPoints: s.bendPoints?.map(t),
  }));
}

/** Source's bottom centre (or its port) down to just above the target port, across, down. */
export function route(
  e: ElkExtendedEdge,
  s: ElkNode | undefined,
  t: ElkNode | undefined,
): ElkExtendedEdge['sections'] {
  if (s === undefined || t === undefined) return [];
  const sp = s.ports?.find((p) => p.id === e.sources[0]);
  const tp = t.ports?.find((p) => p.id === e.targets[0]);
  const start = {
    x:
      (s.x ?? 0) +
      (sp !== undefined && sp.id !== outPortId(s.id)
        ? (sp.x ?? 0) + PORT_SIZE / 2
        : (s.width ?? 0) / 2),
    y: (s.y ?? 0) + (s.height ?? 0),
  };
  const end = {
    x: (t.x ?? 0) + (tp?.x ?? (t.width ?? 0) / 2 - PORT_SIZE / 2) + PORT_SIZE / 2,
    y: (t.y ?? 0) + (tp?.y ?? -PORT_SIZE),
  };
  const turn = Math.max(start.y + PORT_SIZE, end.y - PORT_SIZE);
  const bends =
    Math.abs(start.x - end.x) < 0.5
      ? []
      : [
          { x: start.x, y: turn },
          { x: end.x, y: turn },
        ];
  return [{ id: `${e.id}:s0`, startPoint: start, endPoint: end, bendPoints: bends }];
}

/**
 * An edge's route after its ends were placed anew: the old route shifted when both ends
 * moved together by the same offset (`moved`) and kept their ports, else a fresh route.
 */
export function reroute(
  e: ElkExtendedEdge,
  s: string,
  t: string,
  oldEdges: ReadonlyMap<string, ElkExtendedEdge>,
  moved: ReadonlyMap<string, { x: number; y: number }>,
  old: ReadonlyMap<string, ElkNode>,
  placed: ReadonlyMap<string, ElkNode>,
): ElkExtendedEdge['sections'] {
  const oe = oldEdges.get(e.id);
  const ds = moved.get(s);
  const dt = moved.get(t);
  const [os, ot, ps, pt] = [old.get(s), old.get(t), placed.get(s), placed.get(t)];
  if (
    oe !== undefined &&
    ds !== undefined &&
    dt !== undefined &&
    ds.x === dt.x &&
    ds.y === dt.y &&
    oe.sources[0] === e.sources[0] &&
    oe.targets[0] === e.targets[0] &&
    os !== undefined &&
    ot !== undefined &&
    ps !== undefined &&
    pt !== undefined &&
    samePortsById(os, ps) &&
    samePortsById(ot, pt)
  ) {
    return translate(oe, ds.x, ds.y);
  }
  return route(e, placed.get(s), placed.get(t));
}

/** Whether any two boxes overlap (sweep over x). @example overlaps(layout.children!) // false */
export function overlaps(nodes: ElkNode[]): boolean {
  const bs = nodes
    .map(boxOf)
    .filter((b) => b.w > 0 && b.h > 0)
    .sort((a, b) => a.x - b.x);
  const active: Box[] = [];
  for (const b of bs) {
    for (let i = active.length - 1; i >= 0; i--)
      if (active[i].x + active[i].w <= b.x) active.splice(i, 1);
    for (const a of active) if (a.y < b.y + b.h && b.y < a.y + a.h) return true;
    active.push(b);
  }
  return false;
}

/**
 * The node an edge end belongs to: port ids are `<node id>:<port>` (see `inPortId` and
 * `outPortId` in elk.ts), and the port part has no colon, so no lookup table is needed (building
 * one cost more than the rest of a collapse on a 10,000-node graph).
 *
 * @example
 * portNode('group:3:in0'); // 'group:3'
 */
export function portNode(ref: string): string {
  const i = ref.lastIndexOf(':');
  return i < 0 ? ref : ref.slice(0, i);
}

/**
 * The proxy that fed each (source node, target node) pair in a laid-out view, keyed
 * `source>target`: a proxy's id names its edge, and edge ids change when a neighbour's input
 * slots are renumbered, so a new proxy finds the spot of the old one by what it connects.
 */
export function proxyFeeders(layout: ElkNode): Map<string, ElkNode> {
  const kids = layout.children ?? [];
  const byId = new Map<string, ElkNode>();
  for (const c of kids) if (proxiedNode(c.id) !== null) byId.set(c.id, c);
  const out = new Map<string, ElkNode>();
  for (const e of layout.edges ?? []) {
    const s = portNode(e.sources[0]);
    const n = byId.get(s);
    if (n !== undefined) out.set(`${proxiedNode(s)}>${portNode(e.targets[0])}`, n);
  }
  return out;
}

/**
 * The proxies feeding a box, in rows above it: each as close to right above its port as the
 * one before it and the obstacles allow, a row higher when the row is full. Null if they do
 * not fit in two rows within a few box widths.
 *
 * @example
 * packProxies({ x: 0, y: 100, w: 120, h: 28 }, [{ id: 'p', port: 30, w: 90, h: 28 }], []); // p right above x = 30
 */
export function packProxies(
  box: Box,
  feeds: readonly { id: string; port: number; w: number; h: number }[],
  obstacles: readonly Box[],
): Map<string, Box> | null {
  const out = new Map<string, Box>();
  if (feeds.length === 0) return out;
  const rowH = feeds.reduce((m, f) => Math.max(m, f.h), 0);
  const span = feeds.reduce((s, f) => s + f.w + PROXY_GAP, 0);
  const hi = box.x + box.w + span;
  let row = 0;
  let cursor = -Infinity;
  const taken: Box[] = [box];
  for (const f of feeds) {
    for (;;) {
      if (row >= PROXY_ROWS) return null;
      const y = box.y - PORT_SIZE - 12 - f.h - row * (rowH + 12);
      let x = Math.max(box.x + f.port - f.w / 2, cursor);
      let spot: Box | null = null;
      while (y >= 0 && x + f.w <= hi) {
        const b = { x, y, w: f.w, h: f.h };
        const o = obstacles.find((q) => hit(b, q, CLEAR)) ?? taken.find((q) => hit(b, q, CLEAR));
        if (o === undefined) {
          spot = b;
          break;
        }
        x = o.x + o.w + CLEAR + 1;
      }
      if (spot !== null) {
        out.set(f.id, spot);
        taken.push(spot);
        cursor = spot.x + spot.w + PROXY_GAP;
        break;
      }
      row++;
      cursor = -Infinity;
    }
  }
  return out;
}

/** Whether two boxes overlap or come closer than `margin`. */
export function hit(a: Box, b: Box, margin: number): boolean {
  return (
    a.x < b.x + b.w + margin &&
    b.x < a.x + a.w + margin &&
    a.y < b.y + b.h + margin &&
    b.y < a.y + a.h + margin
  );
}
