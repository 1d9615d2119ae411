// The collapsed view of a big graph and its stable expansion. A view shows every group not
// inside an expanded group as one box; expanding a group lays out only its contents and
// inserts them where the box was, moving what lies below it down and what lies beside it
// (to the right, in the same band) right, so everything else stays where it was on screen.
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api';
import type { GraphNode, GraphSnapshot, NextFunction } from '../protocol/messages';
import { PORT_SIZE, outPortId, proxiedNode, toElkGraph } from './elk';
import { fastLayout, portPositions, type LayoutProgress } from './fast-layout';
import { groupTree, isGroupId, type GraphGroup, type GroupTree } from './groups';
import { chooseEngine, layoutElkGraph, type ElkLike, type LayoutEngine } from './layout';
import { renderSvg } from './svg';

/** Graphs up to this many nodes open flat (every node visible); bigger ones open collapsed. */
export const FLAT_MAX_NODES = 1500;
/** When opening collapsed, groups are expanded (biggest first) while at most this many boxes show. */
export const OPEN_BUDGET = 120;

/** The visible graph for a set of expanded groups: groups not expanded become one node each. */
export function viewSnapshot(snapshot: GraphSnapshot, tree: GroupTree, expanded: ReadonlySet<string>): GraphSnapshot {
  // A node's representative: itself, or the outermost collapsed group around it.
  const repOfGroup = new Map<string, string | null>();
  const groupRep = (g: string | null): string | null => {
    if (g === null) return null;
    let r = repOfGroup.get(g);
    if (r === undefined) {
      const parent = tree.groups.get(g)!.parent;
      const outer = groupRep(parent);
      r = outer !== null ? outer : expanded.has(g) ? null : g;
      repOfGroup.set(g, r);
    }
    return r;
  };
  const rep = (id: string): string => groupRep(tree.groupOf.get(id) ?? null) ?? id;
  const boxes = new Map<string, { members: GraphNode[]; next: Map<string, NextFunction> }>();
  const nodes: GraphNode[] = [];
  for (const n of snapshot.nodes) {
    const r = rep(n.id);
    if (r === n.id) {
      nodes.push({
        ...n,
        next: n.next.map((e) => (e === null ? null : rep(e.id) === e.id ? e : { id: rep(e.id), inputNr: 0 })),
        attachedTo: n.attachedTo === null ? null : rep(n.attachedTo),
      });
      continue;
    }
    let b = boxes.get(r);
    if (b === undefined) {
      b = { members: [], next: new Map() };
      boxes.set(r, b);
    }
    b.members.push(n);
    for (const e of n.next) {
      if (e === null) continue;
      const s = rep(e.id);
      if (s !== r && !b.next.has(s)) b.next.set(s, s === e.id ? e : { id: s, inputNr: 0 });
    }
  }
  // Boxes in creation order, so a node used by many boxes is drawn next to the first user
  // (the others get proxies).
  const boxNodes: GraphNode[] = [];
  for (const [id, b] of boxes) {
    const g = tree.groups.get(id)!;
    const first = b.members.filter((m) => m.kind === 'function').sort((x, y) => x.sequenceNr - y.sequenceNr)[0] ?? b.members[0];
    boxNodes.push({
      id, kind: 'function', name: groupName(g), next: [...b.next.values()], value: null, grad: null,
      location: first.location, modulePath: g.modulePath, attachedTo: null, sequenceNr: first.sequenceNr,
    });
  }
  boxNodes.sort((a, b) => a.sequenceNr - b.sequenceNr);
  nodes.push(...boxNodes);
  const collapsed = boxes.size > 0 || snapshot.collapsed;
  return { ...snapshot, nodes, collapsed };
}

/** What a group's box says: `Net.cell (6 nodes)`, `Net.cell, Net.head ×800 (9,600 nodes)`. */
export function groupName(g: GraphGroup): string {
  const size = `(${g.size.toLocaleString('en-US')} nodes)`;
  switch (g.kind) {
    case 'call':
      return `${g.label} ${size}`;
    case 'repeat':
      return `${g.label} ×${g.count} ${size}`;
    case 'step':
      return `step ${g.label} ${size}`;
  }
}

export interface ViewResult {
  /** The visible graph (groups as nodes whose id starts with `group:`). */
  snapshot: GraphSnapshot;
  /** Laid out, in ELK's result shape. */
  layout: ElkNode;
  svg: string;
  /** How it was laid out: by ELK, by the fast layout, or by inserting one group's contents. */
  engine: LayoutEngine | 'incremental';
  /** Milliseconds spent (view, layout and SVG). */
  ms: number;
}

export interface ViewOptions {
  elk?: ElkLike | null;
  /** Default FLAT_MAX_NODES. */
  flatMaxNodes?: number;
  /** Default OPEN_BUDGET. */
  openBudget?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: LayoutProgress) => void;
}

/**
 * A big graph's interactive view: open it collapsed, expand and collapse groups. Pure and
 * synchronous apart from ELK, so it runs as is in the webview's layout worker.
 *
 * @example
 * const view = new GraphView(snapshot, { elk });
 * let r = await view.open();            // r.svg: groups as boxes (class gl-group)
 * r = view.expand('group:2');           // contents in place of the box; the rest stays put
 */
export class GraphView {
  readonly tree: GroupTree;
  readonly expanded = new Set<string>();
  private last: ViewResult | null = null;

  constructor(readonly source: GraphSnapshot, private readonly options: ViewOptions = {}) {
    this.tree = groupTree(source);
  }

  /** The current view, or null before `open`. */
  get current(): ViewResult | null {
    return this.last;
  }

  /**
   * First layout: flat when the graph is small enough, else collapsed with the biggest
   * groups expanded while the view stays within the open budget.
   */
  async open(run: RunOptions = {}): Promise<ViewResult> {
    const t0 = now();
    this.expanded.clear();
    if (this.source.nodes.length <= (this.options.flatMaxNodes ?? FLAT_MAX_NODES)) {
      for (const id of this.tree.groups.keys()) this.expanded.add(id);
    } else {
      this.expandWithin(this.options.openBudget ?? OPEN_BUDGET);
    }
    return this.relayout(t0, run);
  }

  /** Re-lays out the current expansion from scratch (ELK when small enough). */
  async relayout(t0 = now(), run: RunOptions = {}): Promise<ViewResult> {
    const snapshot = viewSnapshot(this.source, this.tree, this.expanded);
    const graph = toElkGraph(snapshot);
    const engine = chooseEngine(graph, this.options.elk != null);
    const layout = await layoutElkGraph(graph, { elk: this.options.elk, engine, signal: run.signal, onProgress: run.onProgress });
    return this.finish(snapshot, layout, engine, t0);
  }

  /**
   * Shows a collapsed group's contents in place of its box. Nodes above the box and left of
   * it keep their positions exactly; nodes below move down, nodes right of it in its band move
   * right, each by the growth of the box. Falls back to a full layout (engine 'fast') only if
   * the insertion would overlap something.
   */
  expand(groupId: string, run: RunOptions = {}): ViewResult {
    const t0 = now();
    const prev = this.last;
    if (prev === null) throw new Error('expand before open: call open() first');
    if (!this.tree.groups.has(groupId)) throw new Error(`no group ${groupId} in this graph`);
    const box = prev.layout.children?.find((c) => c.id === groupId);
    if (box === undefined) throw new Error(`group ${groupId} is not shown collapsed, so it cannot be expanded`);
    this.expanded.add(groupId);
    const snapshot = viewSnapshot(this.source, this.tree, this.expanded);
    const graph = toElkGraph(snapshot);
    const inside = (id: string): boolean => this.isInside(id, groupId);
    const layout = insertExpanded(prev.layout, graph, box, inside, run);
    if (layout === null) return this.finish(snapshot, fastLayout(graph, run), 'fast', t0);
    return this.finish(snapshot, layout, 'incremental', t0);
  }

  /** Folds a group (and every group inside it) back into one box; a full re-layout. */
  async collapse(groupId: string, run: RunOptions = {}): Promise<ViewResult> {
    if (!this.tree.groups.has(groupId)) throw new Error(`no group ${groupId} in this graph`);
    for (const id of [...this.expanded]) if (id === groupId || this.isInside(id, groupId)) this.expanded.delete(id);
    return this.relayout(now(), run);
  }

  /** Whether a node, group or proxy id lies (at any depth) inside group `g`. */
  isInside(id: string, g: string): boolean {
    const of = proxiedNode(id);
    if (of !== null) return false;
    let c: string | null = isGroupId(id) ? (this.tree.groups.get(id)?.parent ?? null) : (this.tree.groupOf.get(id) ?? null);
    for (; c !== null; c = this.tree.groups.get(c)!.parent) if (c === g) return true;
    return false;
  }

  private expandWithin(budget: number): void {
    for (const id of expandWithinBudget(this.tree, budget)) this.expanded.add(id);
  }

  private finish(snapshot: GraphSnapshot, layout: ElkNode, engine: ViewResult['engine'], t0: number): ViewResult {
    this.last = { snapshot, layout, svg: renderSvg(snapshot, layout), engine, ms: 0 };
    this.last.ms = now() - t0;
    return this.last;
  }
}

/**
 * Which groups to expand so that at most `budget` boxes and nodes show: the biggest groups
 * first, and groups that look alike (the steps of one repeat, calls of one module with the
 * same size) together or not at all, so the picture stays uniform.
 *
 * @example
 * const shown = viewSnapshot(snapshot, tree, expandWithinBudget(tree, 2000));
 */
export function expandWithinBudget(tree: GroupTree, budget: number): Set<string> {
  const expanded = new Set<string>();
  const visible = new Set<string>(tree.roots);
  const skipped = new Set<string>();
  const sameAs = (a: GraphGroup, b: GraphGroup): boolean =>
    a.kind === b.kind && (a.kind === 'step' ? a.parent === b.parent : a.label.replace(/\d+/g, '#') === b.label.replace(/\d+/g, '#')) && a.size === b.size && a.items.length === b.items.length;
  for (;;) {
    let best: GraphGroup | null = null;
    for (const id of visible) {
      const g = tree.groups.get(id);
      if (g !== undefined && !skipped.has(id) && (best === null || g.size > best.size)) best = g;
    }
    if (best === null) return expanded;
    const batch: GraphGroup[] = [];
    for (const id of visible) {
      const g = tree.groups.get(id);
      if (g !== undefined && !skipped.has(id) && sameAs(g, best)) batch.push(g);
    }
    const grow = batch.reduce((s, g) => s + g.items.length - 1, 0);
    if (visible.size + grow > budget) {
      for (const g of batch) skipped.add(g.id);
      continue;
    }
    for (const g of batch) {
      visible.delete(g.id);
      for (const it of g.items) visible.add(it);
      expanded.add(g.id);
    }
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

const boxOf = (c: ElkNode): Box => ({ x: c.x ?? 0, y: c.y ?? 0, w: c.width ?? 0, h: c.height ?? 0 });

/**
 * The stable insertion: `graph` is the new view's ELK input, `prev` the laid-out old view,
 * `box` the expanded group's node in it. Returns null when the result would overlap.
 */
export function insertExpanded(prev: ElkNode, graph: ElkNode, box: ElkNode, inside: (id: string) => boolean, run: RunOptions = {}): ElkNode | null {
  const old = new Map((prev.children ?? []).map((c) => [c.id, c]));
  const B = boxOf(box);
  // Which new nodes are the group's contents: its nodes and groups, and proxies feeding them.
  const kids = graph.children ?? [];
  const portNode = new Map<string, string>();
  for (const c of kids) for (const p of c.ports ?? []) portNode.set(p.id, c.id);
  const edgeEnds = (graph.edges ?? []).map((e) => ({ e, s: portNode.get(e.sources[0]) ?? e.sources[0], t: portNode.get(e.targets[0]) ?? e.targets[0] }));
  const proxyTarget = new Map<string, { t: string; port: string }>();
  for (const { e, s, t } of edgeEnds) if (proxiedNode(s) !== null) proxyTarget.set(s, { t, port: e.targets[0] });
  const inner = new Set<string>();
  for (const c of kids) if (!old.has(c.id) && inside(c.id)) inner.add(c.id);
  for (const [p, { t }] of proxyTarget) if (!old.has(p) && inner.has(t)) inner.add(p);

  const innerGraph: ElkNode = {
    id: 'inner', layoutOptions: graph.layoutOptions,
    children: kids.filter((c) => inner.has(c.id)),
    edges: edgeEnds.filter(({ s, t }) => inner.has(s) && inner.has(t)).map(({ e }) => e),
  };
  const laid = fastLayout(innerGraph, run);
  const dx = Math.max(0, (laid.width ?? 0) - B.w);
  const dy = Math.max(0, (laid.height ?? 0) - B.h);
  const shift = (c: Box): { x: number; y: number } => {
    if (c.y >= B.y + B.h) return { x: 0, y: dy };
    if (c.y < B.y + B.h && c.y + c.h > B.y && c.x >= B.x + B.w) return { x: dx, y: 0 };
    return { x: 0, y: 0 };
  };
  // Where each old input port was fed from, to place new proxies where the old ones stood.
  const oldPortNode = new Map<string, string>();
  for (const c of prev.children ?? []) for (const p of c.ports ?? []) oldPortNode.set(p.id, c.id);
  const oldFeeder = new Map<string, ElkNode>();
  for (const e of prev.edges ?? []) {
    const s = oldPortNode.get(e.sources[0]) ?? e.sources[0];
    const n = old.get(s);
    if (n !== undefined) oldFeeder.set(e.targets[0], n);
  }

  const placed = new Map<string, ElkNode>();
  const moved = new Map<string, { x: number; y: number }>();
  const laidInner = new Map((laid.children ?? []).map((c) => [c.id, c]));
  for (const c of kids) {
    const li = laidInner.get(c.id);
    if (li !== undefined) {
      placed.set(c.id, { ...li, x: (li.x ?? 0) + B.x, y: (li.y ?? 0) + B.y });
      continue;
    }
    const o = old.get(c.id);
    if (o !== undefined) {
      const d = shift(boxOf(o));
      moved.set(c.id, d);
      placed.set(c.id, { ...c, x: (o.x ?? 0) + d.x, y: (o.y ?? 0) + d.y, ports: samePorts(o, c) ? o.ports : withPorts(c) });
      continue;
    }
    // A new node outside the group: a proxy (the only kind) where the old feeder of its
    // target's port stood, else right above that port.
    const pt = proxyTarget.get(c.id);
    const feeder = pt === undefined ? undefined : oldFeeder.get(pt.port);
    if (feeder !== undefined && pt !== undefined && !inner.has(pt.t)) {
      const tOld = old.get(pt.t);
      const d = tOld === undefined ? { x: 0, y: 0 } : shift(boxOf(tOld));
      placed.set(c.id, { ...c, x: (feeder.x ?? 0) + d.x, y: (feeder.y ?? 0) + (feeder.height ?? 0) - (c.height ?? 0) + d.y, ports: withPorts(c) });
    } else placed.set(c.id, { ...c, x: B.x, y: B.y + (laid.height ?? 0), ports: withPorts(c) });
  }
  // Proxies placed above a target that has not been placed yet were given a guess; re-aim them.
  for (const [p, { t, port }] of proxyTarget) {
    const n = placed.get(p);
    const tn = placed.get(t);
    if (n === undefined || tn === undefined || old.has(p) || inner.has(p) || oldFeeder.has(port)) continue;
    const px = tn.ports?.find((q) => q.id === port)?.x ?? 0;
    placed.set(p, { ...n, x: (tn.x ?? 0) + px + PORT_SIZE / 2 - (n.width ?? 0) / 2, y: (tn.y ?? 0) - PORT_SIZE - 12 - (n.height ?? 0) });
  }
  if (overlaps([...placed.values()])) return null;

  const oldEdges = new Map((prev.edges ?? []).map((e) => [e.id, e]));
  const innerEdges = new Map((laid.edges ?? []).map((e) => [e.id, e]));
  const edges: ElkExtendedEdge[] = edgeEnds.map(({ e, s, t }) => {
    const ie = innerEdges.get(e.id);
    if (ie !== undefined) return { ...e, sections: translate(ie, B.x, B.y) };
    const oe = oldEdges.get(e.id);
    const ds = moved.get(s);
    const dt = moved.get(t);
    if (oe !== undefined && ds !== undefined && dt !== undefined && ds.x === dt.x && ds.y === dt.y && oe.sources[0] === e.sources[0] && oe.targets[0] === e.targets[0] && samePortsById(old.get(s)!, placed.get(s)!) && samePortsById(old.get(t)!, placed.get(t)!)) {
      return { ...e, sections: translate(oe, ds.x, ds.y) };
    }
    return { ...e, sections: route(e, placed.get(s), placed.get(t)) };
  });
  let width = 0;
  let height = 0;
  for (const c of placed.values()) {
    width = Math.max(width, (c.x ?? 0) + (c.width ?? 0));
    height = Math.max(height, (c.y ?? 0) + (c.height ?? 0) + PORT_SIZE);
  }
  // Keep the old ordering of children (and so of the SVG) where it can; new ones at the end.
  const children = [...placed.values()];
  return { ...graph, x: 0, y: 0, width: Math.max(width, prev.width ?? 0), height: Math.max(height, (prev.height ?? 0) + dy), children, edges };
}

function withPorts(c: ElkNode): ElkPort[] {
  const pos = portPositions(c);
  return (c.ports ?? []).map((p) => ({ ...p, ...pos.get(p.id)! }));
}

function samePorts(o: ElkNode, c: ElkNode): boolean {
  return o.width === c.width && (o.ports?.length ?? 0) === (c.ports?.length ?? 0) && (o.ports ?? []).every((p, i) => p.id === c.ports![i].id);
}

function samePortsById(a: ElkNode, b: ElkNode): boolean {
  return a.ports === b.ports || ((a.ports?.length ?? 0) === (b.ports?.length ?? 0) && (a.ports ?? []).every((p, i) => p.id === b.ports![i].id && p.x === b.ports![i].x && p.y === b.ports![i].y));
}

function translate(e: ElkExtendedEdge, dx: number, dy: number): ElkExtendedEdge['sections'] {
  const t = (p: { x: number; y: number }) => ({ x: p.x + dx, y: p.y + dy });
  return (e.sections ?? []).map((s) => ({ ...s, startPoint: t(s.startPoint), endPoint: t(s.endPoint), bendPoints: s.bendPoints?.map(t) }));
}

/** Source's bottom centre (or its port) down to just above the target port, across, down. */
function route(e: ElkExtendedEdge, s: ElkNode | undefined, t: ElkNode | undefined): ElkExtendedEdge['sections'] {
  if (s === undefined || t === undefined) return [];
  const sp = s.ports?.find((p) => p.id === e.sources[0]);
  const tp = t.ports?.find((p) => p.id === e.targets[0]);
  const start = { x: (s.x ?? 0) + (sp !== undefined && sp.id !== outPortId(s.id) ? (sp.x ?? 0) + PORT_SIZE / 2 : (s.width ?? 0) / 2), y: (s.y ?? 0) + (s.height ?? 0) };
  const end = { x: (t.x ?? 0) + (tp?.x ?? (t.width ?? 0) / 2 - PORT_SIZE / 2) + PORT_SIZE / 2, y: (t.y ?? 0) + (tp?.y ?? -PORT_SIZE) };
  const turn = Math.max(start.y + PORT_SIZE, end.y - PORT_SIZE);
  const bends = Math.abs(start.x - end.x) < 0.5 ? [] : [{ x: start.x, y: turn }, { x: end.x, y: turn }];
  return [{ id: `${e.id}:s0`, startPoint: start, endPoint: end, bendPoints: bends }];
}

/** Whether any two boxes overlap (sweep over x). */
export function overlaps(nodes: ElkNode[]): boolean {
  const bs = nodes.map(boxOf).filter((b) => b.w > 0 && b.h > 0).sort((a, b) => a.x - b.x);
  const active: Box[] = [];
  for (const b of bs) {
    for (let i = active.length - 1; i >= 0; i--) if (active[i].x + active[i].w <= b.x) active.splice(i, 1);
    for (const a of active) if (a.y < b.y + b.h && b.y < a.y + a.h) return true;
    active.push(b);
  }
  return false;
}

/** The tree a view was built from, for a caller that wants group labels or sizes. */
export type { GraphGroup, GroupTree };
