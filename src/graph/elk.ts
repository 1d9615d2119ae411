// Snapshot -> ELK graph input: layered, top-down (inputs above, the output at the bottom,
// as torchviz draws it), each function node with one numbered input port per
// `nextFunctions` slot in fixed order, so edge i always enters port i.
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api';
import type { GraphNode, GraphSnapshot } from '../protocol/messages';
import { countText } from './count-text';
import { graphEdges, type GraphEdge } from './edges';
import { displayName, nodeLines } from './labels';

/** Monospace metrics the SVG renderer uses too, so boxes fit their text without a DOM. */
export const FONT_SIZE = 12;
export const CHAR_WIDTH = 7.2;
export const LINE_HEIGHT = 16;
export const PAD_X = 10;
export const PAD_Y = 6;
export const PORT_SIZE = 8;
const PORT_GAP = 18;

export const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '24',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.spacing.edgeEdge': '8',
  // Fewer crossing-minimisation sweeps than ELK's default 7: a 1,000-node graph lays out
  // in well under a second, and autograd graphs are mostly trees anyway.
  'elk.layered.thoroughness': '3',
};

/** Consumers beyond this many get a proxy of their input instead of a long edge. */
export const MAX_FANOUT = 3;
/**
 * A node with this many consumers or more (a weight used at every step of an unrolled RNN)
 * is drawn once, saying how often it is used, with one edge to its first consumer: a proxy
 * at each of 800 steps said the same thing 800 times.
 */
export const SHARED_MIN_USES = 10;
const PROXY_SEP = '~proxy~';

export function proxyId(source: string, edgeId: string): string {
  return `${source}${PROXY_SEP}${edgeId}`;
}

/** The node a proxy feeds (`proxyId`'s edge is `from->to#slot`), or null if `id` is not a proxy. */
export function proxyConsumer(id: string): string | null {
  const i = id.indexOf(PROXY_SEP);
  if (i < 0) return null;
  const edge = id.slice(i + PROXY_SEP.length);
  return edge.slice(edge.indexOf('->') + 2, edge.lastIndexOf('#'));
}

/** The node a proxy stands for, or null if `id` is not a proxy. */
export function proxiedNode(id: string): string | null {
  const i = id.indexOf(PROXY_SEP);
  return i < 0 ? null : id.slice(0, i);
}

interface SnapshotIndex {
  byId: Map<string, GraphNode>;
  /** How many consumers each node has that has SHARED_MIN_USES or more. */
  shared: Map<string, number>;
  /** The named leaf hanging from each AccumulateGrad. */
  leafOf: Map<string, GraphNode>;
}
const indexes = new WeakMap<GraphSnapshot, SnapshotIndex>();

/** Node lookups by id, built once per snapshot (a lookup by scanning made 10,000-node graphs quadratic). */
export function snapshotIndex(snapshot: GraphSnapshot): SnapshotIndex {
  let ix = indexes.get(snapshot);
  if (ix === undefined) {
    ix = {
      byId: new Map(snapshot.nodes.map((n) => [n.id, n])),
      shared: sharedUses(snapshot),
      leafOf: new Map(),
    };
    for (const n of snapshot.nodes)
      if (
        n.kind === 'leaf' &&
        n.attachedTo !== null &&
        n.name !== '' &&
        !ix.leafOf.has(n.attachedTo)
      )
        ix.leafOf.set(n.attachedTo, n);
    indexes.set(snapshot, ix);
  }
  return ix;
}

function sharedUses(snapshot: GraphSnapshot): Map<string, number> {
  const uses = new Map<string, number>();
  for (const n of snapshot.nodes)
    for (const e of n.next) if (e !== null) uses.set(e.id, (uses.get(e.id) ?? 0) + 1);
  for (const [id, k] of uses) if (k < SHARED_MIN_USES) uses.delete(id);
  return uses;
}

/** A node's lines as drawn: a shared node's end with how often it is used. */
export function boxLines(snapshot: GraphSnapshot, n: GraphNode): string[] {
  const uses = snapshotIndex(snapshot).shared.get(n.id);
  const lines = nodeLines(n);
  return uses === undefined ? lines : [...lines, `used ${countText(uses)} times`];
}

/** Whether node `id` is drawn once with an edge to its first consumer only (see SHARED_MIN_USES). */
export function isShared(snapshot: GraphSnapshot, id: string): boolean {
  return snapshotIndex(snapshot).shared.has(id);
}

/** What a proxy box says: the leaf's name for an AccumulateGrad, else the node's name. */
export function proxyLabel(snapshot: GraphSnapshot, id: string): string {
  const ix = snapshotIndex(snapshot);
  const n = ix.byId.get(id);
  if (n === undefined) return id;
  if (n.kind === 'accumulate') {
    const leaf = ix.leafOf.get(id);
    if (leaf !== undefined) return leaf.name;
  }
  return displayName(n);
}

export function inPortId(nodeId: string, slot: number): string {
  return `${nodeId}:in${slot}`;
}
export function outPortId(nodeId: string): string {
  return `${nodeId}:out`;
}
export function attachPortId(nodeId: string): string {
  return `${nodeId}:attach`;
}

export function nodeSize(lines: string[]): { width: number; height: number } {
  const longest = lines.reduce((m, l) => Math.max(m, l.length), 0);
  return {
    width: Math.ceil(longest * CHAR_WIDTH + 2 * PAD_X),
    height: lines.length * LINE_HEIGHT + 2 * PAD_Y,
  };
}

/**
 * The ELK input for a snapshot. Node, port and edge ids are the snapshot's ids (ports and
 * edges derived from them), so a layout result maps straight back to the snapshot.
 *
 * @example
 * const layout = await new ELK().layout(toElkGraph(snapshot));
 * const svg = renderSvg(snapshot, layout);
 */
export function toElkGraph(snapshot: GraphSnapshot): ElkNode {
  const edges = graphEdges(snapshot);
  const attached = new Set(
    edges.filter((e) => e.kind === 'variable' || e.kind === 'saved').map((e) => e.target),
  );
  const hasOut = new Set(
    edges.filter((e) => e.kind !== 'variable' && e.kind !== 'saved').map((e) => e.source),
  );
  const children: ElkNode[] = snapshot.nodes.map((n) => {
    const size = nodeSize(boxLines(snapshot, n));
    const ports: ElkPort[] = [];
    n.next.forEach((_, slot) => {
      ports.push({
        id: inPortId(n.id, slot),
        width: PORT_SIZE,
        height: PORT_SIZE,
        layoutOptions: { 'elk.port.side': 'NORTH', 'elk.port.index': String(slot) },
      });
    });
    if (attached.has(n.id) || n.kind === 'output') {
      ports.push({
        id: attachPortId(n.id),
        width: PORT_SIZE,
        height: PORT_SIZE,
        layoutOptions: { 'elk.port.side': 'NORTH', 'elk.port.index': String(n.next.length) },
      });
    }
    if (hasOut.has(n.id) || n.kind === 'leaf' || n.kind === 'saved') {
      ports.push({
        id: outPortId(n.id),
        width: PORT_SIZE,
        height: PORT_SIZE,
        layoutOptions: { 'elk.port.side': 'SOUTH' },
      });
    }
    const width = Math.max(size.width, (n.next.length + 1) * PORT_GAP);
    return {
      id: n.id,
      width,
      height: size.height,
      ports,
      layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
    };
  });
  // A node feeding many others (an RNN's weight used at every step) would pull an edge
  // across every layer in between, and ELK's cost grows with those crossings; past a few
  // consumers, the extra uses get a small proxy box next to the consumer instead.
  const fanout = new Map<string, number>();
  for (const e of edges)
    if (e.kind === 'next') fanout.set(e.source, (fanout.get(e.source) ?? 0) + 1);
  const seen = new Map<string, number>();
  const elkEdges: ElkExtendedEdge[] = [];
  for (const e of edges) {
    const k = seen.get(e.source) ?? 0;
    if (e.kind === 'next') seen.set(e.source, k + 1);
    if (e.kind !== 'next' || k === 0 || !isShared(snapshot, e.source)) elkEdges.push(elkEdge(e, k));
  }
  return { id: 'root', layoutOptions: LAYOUT_OPTIONS, children, edges: elkEdges };

  function elkEdge(e: GraphEdge, k: number): ElkExtendedEdge {
    switch (e.kind) {
      case 'next': {
        if ((fanout.get(e.source) ?? 0) > MAX_FANOUT && k >= 1) {
          const id = proxyId(e.source, e.id);
          const size = nodeSize([`↑ ${proxyLabel(snapshot, e.source)}`]);
          children.push({
            id,
            width: size.width,
            height: size.height,
            ports: [
              {
                id: outPortId(id),
                width: PORT_SIZE,
                height: PORT_SIZE,
                layoutOptions: { 'elk.port.side': 'SOUTH' },
              },
            ],
            layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
          });
          return { id: e.id, sources: [outPortId(id)], targets: [inPortId(e.target, e.port)] };
        }
        return { id: e.id, sources: [outPortId(e.source)], targets: [inPortId(e.target, e.port)] };
      }
      case 'output':
        return { id: e.id, sources: [outPortId(e.source)], targets: [attachPortId(e.target)] };
      case 'variable':
      case 'saved':
        return { id: e.id, sources: [outPortId(e.source)], targets: [attachPortId(e.target)] };
    }
  }
}
