// The collapsed view of a big graph and its stable expansion. A view shows every group not
// inside an expanded group as one box; expanding a group lays out only its contents and
// inserts them where the box was, moving what lies below it down and what lies beside it
// (to the right, in the same band) right, so everything else stays where it was on screen.
// Collapsing is the inverse (removal.ts): straight after an expansion it goes back to the
// picture before it, otherwise the box takes the contents' place and the gap closes.
import type { ElkNode } from 'elkjs/lib/elk-api';
import type { GraphNode, GraphSnapshot, NextFunction } from '../protocol/messages';
import { flattenClusters, groupFrames, nestClusters } from './clusters';
import { countText } from './count-text';
import { orient, type GraphDirection } from './direction';
import { proxiedNode, proxyConsumer, toElkGraph } from './elk';
import { fastLayout, type LayoutProgress } from './fast-layout';
import {
  MIN_FRAMED_STEPS,
  frameLabelOf,
  framedGroup,
  groupTree,
  hasContents,
  isGroupId,
  type GraphGroup,
  type GroupTree,
} from './groups';
import { chooseEngine, layoutElkGraph, type ElkLike, type LayoutEngine } from './layout';
import { insertExpanded } from './insertion';
import { must } from './must';
import { overlaps } from './placement';
import { boxShape, removeExpanded, type BoxShape } from './removal';
import { joinSvg, renderSvgParts, type FrameDrawing, type SvgParts } from './svg';

export { overlaps };

/** Up to this many boxes, ELK lays out expanded groups as clusters (see relayout). */
export const CLUSTER_MAX_BOXES = 150;
export { MIN_FRAMED_STEPS };
/** Graphs up to this many nodes open flat (every node visible); bigger ones open collapsed. */
export const FLAT_MAX_NODES = 1500;
/** When opening collapsed, groups are expanded (biggest first) while at most this many boxes show. */
export const OPEN_BUDGET = 120;

/** The visible graph for a set of expanded groups: groups not expanded become one node each. */
export function viewSnapshot(
  snapshot: GraphSnapshot,
  tree: GroupTree,
  expanded: ReadonlySet<string>,
): GraphSnapshot {
  // A node's representative: itself, or the outermost collapsed group around it.
  const repOfGroup = new Map<string, string | null>();
  const groupRep = (g: string | null): string | null => {
    if (g === null) return null;
    let r = repOfGroup.get(g);
    if (r === undefined) {
      const parent = must(tree.groups.get(g), g).parent;
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
        next: n.next.map((e) =>
          e === null ? null : rep(e.id) === e.id ? e : { id: rep(e.id), inputNr: 0 },
        ),
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
    const g = must(tree.groups.get(id), id);
    const first = firstCreated(b.members);
    boxNodes.push({
      id,
      kind: 'function',
      name: groupName(g),
      next: [...b.next.values()],
      value: null,
      grad: null,
      location: first.location,
      modulePath: g.modulePath,
      attachedTo: null,
      sequenceNr: first.sequenceNr,
    });
  }
  boxNodes.sort((a, b) => a.sequenceNr - b.sequenceNr);
  nodes.push(...boxNodes);
  const collapsed = boxes.size > 0 || snapshot.collapsed;
  return { ...snapshot, nodes, collapsed };
}

/**
 * The function node created first (the earliest in the snapshot among equal sequence numbers),
 * else the first member. One pass: sorting a big box's members (the RNN's repeat box holds
 * 9,600) weighed on the collapsed view's build before a window's first paint.
 */
function firstCreated(members: readonly GraphNode[]): GraphNode {
  let first: GraphNode | undefined;
  for (const m of members)
    if (m.kind === 'function' && (first === undefined || m.sequenceNr < first.sequenceNr))
      first = m;
  return first ?? members[0];
}

/** What a group's box says: `Net.cell (6 nodes)`, `Net.cell, Net.head ×800 (9,600 nodes)`. */
export function groupName(g: GraphGroup): string {
  const size = `(${countText(g.size)} nodes)`;
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
  /** Laid out, in ELK's result shape, leaves on top whatever the drawing's direction. */
  layout: ElkNode;
  /** The drawing, in pieces (joinSvg(parts) is the whole SVG). */
  parts: SvgParts;
  /**
   * How it was laid out: by ELK or the fast layout (everything may have moved), by inserting
   * or removing one group's contents ('incremental': what was on screen stays put or closes
   * up), or by going back to the picture before the step being undone ('restored').
   */
  engine: LayoutEngine | 'incremental' | 'restored';
  /** Milliseconds spent (view, layout and SVG). */
  ms: number;
}

export interface ViewOptions {
  elk?: ElkLike | null;
  /** Default FLAT_MAX_NODES. */
  flatMaxNodes?: number;
  /** Default OPEN_BUDGET. */
  openBudget?: number;
  /** What the drawing's header says the graph is, instead of `backward() #N` (see renderSvgParts). */
  header?: string;
  /**
   * How the drawing stands (default leaves-top). The view works on leaves-top layouts and
   * mirrors only what it draws, so expanding and collapsing in place need not know.
   */
  direction?: GraphDirection;
  /** Frames with a collapse chevron (default), or without (a picture saved to a file). */
  collapsibleFrames?: boolean;
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
 * let r = await view.open();            // joinSvg(r.parts): groups as boxes (class gl-group)
 * r = view.expand('group:2');           // contents in place of the box; the rest stays put
 */
export class GraphView {
  readonly tree: GroupTree;
  readonly expanded = new Set<string>();
  private last: ViewResult | null = null;
  /** Expand and collapse steps since the last full layout, each with the picture before it. */
  private readonly history: Step[] = [];
  /** Where each group's box stood when it was last expanded in place, to put it back there. */
  private readonly shapes = new Map<string, BoxShape>();

  constructor(
    readonly source: GraphSnapshot,
    private readonly options: ViewOptions = {},
  ) {
    this.tree = groupTree(source);
  }

  private get direction(): GraphDirection {
    return this.options.direction ?? 'leaves-top';
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
      for (const g of this.tree.groups.values()) if (hasContents(g)) this.expanded.add(g.id);
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
    // ELK keeps each expanded group's boxes together (a compound node per group); it takes
    // several times as long that way, so bigger graphs get frames only where groups happen
    // to lie apart.
    const nest = engine === 'elk' && (graph.children?.length ?? 0) <= CLUSTER_MAX_BOXES;
    const input = nest
      ? nestClusters(graph, this.containerOf, this.parentOf, this.direction)
      : graph;
    const laid = await layoutElkGraph(input, {
      elk: this.options.elk,
      engine,
      signal: run.signal,
      onProgress: run.onProgress,
    });
    // Kept leaves-top, flat (the clusters' boxes in root coordinates): finish() mirrors what
    // it draws. The clusters' padding already leaves the header room where the drawing needs it.
    const layout = nest ? flattenClusters(laid) : laid;
    // Older pictures no longer match this one: going back to them would move everything.
    this.history.length = 0;
    return this.finish(snapshot, layout, engine, t0);
  }

  /**
   * Shows a collapsed group's contents in place of its box. Nodes above the box and left of
   * it keep their positions exactly; nodes below move down, nodes right of it in its band move
   * right, each by the growth of the box. Falls back to a full layout (engine 'fast') only if
   * the insertion would overlap something. Right after the group was collapsed, brings back
   * the picture from before the collapse (groups inside it open as they were).
   */
  expand(groupId: string, run: RunOptions = {}): ViewResult {
    const t0 = now();
    const prev = this.last;
    if (prev === null) throw new Error('expand before open: call open() first');
    const group = this.tree.groups.get(groupId);
    if (group === undefined) throw new Error(`no group ${groupId} in this graph`);
    if (!hasContents(group))
      throw new Error(
        `group ${groupId} was left collapsed when the graph was cut to its size limit: its contents are not in this graph`,
      );
    const box = prev.layout.children?.find((c) => c.id === groupId);
    if (box === undefined)
      throw new Error(`group ${groupId} is not shown collapsed, so it cannot be expanded`);
    const top = this.history.at(-1);
    if (top !== undefined && top.op === 'collapse' && top.group === groupId)
      return this.restore(this.history.length - 1, t0);
    const before = [...this.expanded];
    this.expanded.add(groupId);
    const snapshot = viewSnapshot(this.source, this.tree, this.expanded);
    const graph = toElkGraph(snapshot);
    const inside = (id: string): boolean => this.isInside(id, groupId);
    const layout = insertExpanded(prev.layout, graph, box, inside, run);
    if (layout === null) {
      this.history.length = 0;
      this.shapes.delete(groupId);
    } else {
      const shape = boxShape(prev.layout, layout, groupId, inside);
      if (shape !== null) this.shapes.set(groupId, shape);
    }
    this.remember({ op: 'expand', group: groupId, before: prev, expanded: before });
    if (layout === null) return this.finish(snapshot, fastLayout(graph, run), 'fast', t0);
    return this.finish(snapshot, layout, 'incremental', t0);
  }

  /**
   * Folds a group (and every group inside it) back into one box, the inverse of `expand`:
   * when only groups inside it changed since it was expanded, the picture from before the
   * expansion comes back exactly; otherwise its box takes the contents' place (where it stood
   * before the expansion, or their top-left corner, or over one of them), what was right of
   * them in their band moves left and what was below moves up to close the gap (as far as the
   * layout's spacing allows), and everything else stays put (see removal.ts). Lays out afresh
   * only if the box cannot be placed without overlapping something.
   */
  async collapse(groupId: string, run: RunOptions = {}): Promise<ViewResult> {
    const t0 = now();
    const prev = this.last;
    if (prev === null) throw new Error('collapse before open: call open() first');
    if (!this.tree.groups.has(groupId)) throw new Error(`no group ${groupId} in this graph`);
    if (!this.expanded.has(groupId))
      throw new Error(`group ${groupId} is not expanded, so it cannot be collapsed`);
    const after = [...this.expanded].filter((id) => id !== groupId && !this.isInside(id, groupId));
    for (let i = this.history.length - 1; i >= 0; i--) {
      const step = this.history[i];
      if (step.op === 'expand' && step.group === groupId) {
        if (sameMembers(step.expanded, after)) return this.restore(i, t0);
        break;
      }
      if (!this.isInside(step.group, groupId)) break;
    }
    const before = [...this.expanded];
    this.expanded.clear();
    for (const id of after) this.expanded.add(id);
    const snapshot = viewSnapshot(this.source, this.tree, this.expanded);
    const graph = toElkGraph(snapshot);
    const removed = removeExpanded(
      prev.layout,
      graph,
      groupId,
      (id) => this.isInside(id, groupId),
      { ...run, shape: this.shapes.get(groupId) },
    );
    if (removed === null) {
      let r: ViewResult;
      try {
        r = await this.relayout(t0, run);
      } catch (e) {
        // Cancelled or failed: the current picture (and what it shows expanded) stays.
        this.expanded.clear();
        for (const id of before) this.expanded.add(id);
        throw e;
      }
      this.remember({ op: 'collapse', group: groupId, before: prev, expanded: before });
      return r;
    }
    this.remember({ op: 'collapse', group: groupId, before: prev, expanded: before });
    return this.finish(snapshot, removed.layout, 'incremental', t0);
  }

  /**
   * The framed group directly holding a box of the view (a proxy: its consumer's), null at
   * the top. Module calls are framed; repeats only from MIN_FRAMED_STEPS steps on (two
   * alike calls in a row are no loop worth a frame, and their steps' frames were clutter).
   */
  private readonly containerOf = (id: string): string | null => {
    // A box of a snapshot limited before (the CLI's) is no group of this tree.
    if (isGroupId(id)) return this.tree.groups.has(id) ? this.parentOf(id) : null;
    const consumer = proxyConsumer(id);
    if (consumer !== null) return this.containerOf(consumer);
    return this.framedSelfOrParent(this.tree.groupOf.get(id) ?? null);
  };

  private readonly parentOf = (group: string): string | null =>
    this.framedSelfOrParent(must(this.tree.groups.get(group), group).parent);

  private framedSelfOrParent(group: string | null): string | null {
    return framedGroup(this.tree, group);
  }

  /** The frames of the expanded groups shown, with their labels. */
  private frames(layout: ElkNode): FrameDrawing[] {
    return groupFrames(layout, this.containerOf, this.parentOf, this.direction).map((f) => {
      const g = must(this.tree.groups.get(f.id), f.id);
      return {
        ...f,
        label: frameLabelOf(g, this.tree),
        title: groupName(g),
        collapsible: this.options.collapsibleFrames ?? true,
      };
    });
  }

  /** Whether a node, group or proxy id lies (at any depth) inside group `g`. */
  isInside(id: string, g: string): boolean {
    const of = proxiedNode(id);
    if (of !== null) return false;
    let c: string | null = isGroupId(id)
      ? (this.tree.groups.get(id)?.parent ?? null)
      : (this.tree.groupOf.get(id) ?? null);
    for (; c !== null; c = must(this.tree.groups.get(c), c).parent) if (c === g) return true;
    return false;
  }

  private expandWithin(budget: number): void {
    for (const id of expandWithinBudget(this.tree, budget)) this.expanded.add(id);
  }

  private remember(step: Step): void {
    this.history.push(step);
    // Each step holds a whole picture (about 3 kB a box, layout and SVG): keep the recent ones.
    let boxes = 0;
    for (const s of this.history) boxes += s.before.layout.children?.length ?? 0;
    while (
      this.history.length > MAX_HISTORY ||
      (boxes > MAX_HISTORY_BOXES && this.history.length > 1)
    ) {
      boxes -= this.history.shift()?.before.layout.children?.length ?? 0;
    }
  }

  /** Back to the picture before step `i`, forgetting it and every step after it. */
  private restore(i: number, t0: number): ViewResult {
    const step = this.history[i];
    this.history.length = i;
    this.expanded.clear();
    for (const id of step.expanded) this.expanded.add(id);
    this.last = { ...step.before, engine: 'restored', ms: 0 };
    this.last.ms = now() - t0;
    return this.last;
  }

  private finish(
    snapshot: GraphSnapshot,
    layout: ElkNode,
    engine: ViewResult['engine'],
    t0: number,
  ): ViewResult {
    const drawn = orient(layout, this.direction);
    this.last = {
      snapshot,
      layout,
      parts: renderSvgParts(snapshot, drawn, this.options.header, this.frames(drawn)),
      engine,
      ms: 0,
    };
    this.last.ms = now() - t0;
    return this.last;
  }
}

/**
 * A snapshot as one picture, every node shown and each module group framed as the graph
 * view frames them, without collapse chevrons: the CLI's SVG and HTML page.
 *
 * @example
 * writeFileSync('graph.svg', await drawSnapshot(snapshot, { elk: new ELK() }));
 */
export async function drawSnapshot(
  snapshot: GraphSnapshot,
  options: Pick<ViewOptions, 'elk' | 'header' | 'direction'> = {},
): Promise<string> {
  const view = new GraphView(snapshot, {
    ...options,
    flatMaxNodes: Infinity,
    collapsibleFrames: false,
  });
  return joinSvg((await view.open()).parts);
}

/** Steps kept for going back exactly, and the boxes their pictures may hold together (~75 MB). */
const MAX_HISTORY = 32;
const MAX_HISTORY_BOXES = 25_000;

interface Step {
  op: 'expand' | 'collapse';
  group: string;
  /** The picture before this step, and what was expanded in it. */
  before: ViewResult;
  expanded: string[];
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const s = new Set(a);
  return s.size === new Set(b).size && b.every((x) => s.has(x));
}

/**
 * Which groups to expand so that at most `budget` boxes and nodes show: the biggest groups
 * first, and groups that look alike (the steps of one repeat, calls of one module with the
 * same size) together or not at all, so the picture stays uniform. A repeat of more than
 * `maxSteps` steps stays one box.
 *
 * @example
 * const shown = viewSnapshot(snapshot, tree, expandWithinBudget(tree, 2000));
 */
export function expandWithinBudget(
  tree: GroupTree,
  budget: number,
  maxSteps = budget,
): Set<string> {
  const skipped = new Set<string>();
  for (const g of tree.groups.values())
    if ((g.kind === 'repeat' && g.count > maxSteps) || !hasContents(g)) skipped.add(g.id);
  const expanded = new Set<string>();
  const visible = new Set<string>(tree.roots);
  const sameAs = (a: GraphGroup, b: GraphGroup): boolean =>
    a.kind === b.kind &&
    (a.kind === 'step'
      ? a.parent === b.parent
      : a.label.replace(/\d+/g, '#') === b.label.replace(/\d+/g, '#')) &&
    a.size === b.size &&
    a.items.length === b.items.length;
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

/** The tree a view was built from, for a caller that wants group labels or sizes. */
export type { GraphGroup, GroupTree };
