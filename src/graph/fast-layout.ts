// A layered layout for big graphs, in the shape ELK returns, so `renderSvg` draws either.
// ELK's layered algorithm costs seconds at 1,000 nodes and minutes at 10,000; autograd graphs
// are nearly trees, and these cheap steps give a readable picture in milliseconds:
//   1. layers: longest path from the output (sources sit right above their consumer),
//   2. long edges split into dummy nodes, one per layer crossed,
//   3. order within layers: depth-first from the output visiting inputs in port order
//      (trees come out planar), then a few barycenter sweeps,
//   4. x: per layer, the order-preserving placement closest (least squares) to the
//      neighbours' ports, alternating down and up (pool-adjacent-violators, O(n) a layer),
//   5. orthogonal edge routes with one horizontal track per source in each layer gap.
// Everything is sorted by stable keys, so the same input gives the same picture.
import type { ElkExtendedEdge, ElkNode, ElkPort } from 'elkjs/lib/elk-api';
import { PORT_SIZE } from './elk';

const NODE_GAP = 24;
const EDGE_GAP = 8;
const EDGE_NODE_GAP = 12;
const LAYER_GAP = 36;
const TRACK_GAP = 6;
/** Dummy nodes pull harder on their neighbours, so long edges run straight. */
const DUMMY_WEIGHT = 4;
/** Sources (leaves, proxies) follow their consumer and push nothing aside. */
const SOURCE_WEIGHT = 1e-6;

export interface LayoutProgress {
  phase: 'layers' | 'order' | 'place' | 'route' | 'done';
  /** 0..1 over the whole layout. */
  fraction: number;
}

export interface FastLayoutOptions {
  /** Crossing-reduction rounds (one round = a down and an up sweep). Default 2. */
  orderRounds?: number;
  /** Placement rounds (one round = a down and an up pass). Default 4. */
  placeRounds?: number;
  /** Checked between phases: an aborted layout throws the signal's reason. */
  signal?: AbortSignal;
  onProgress?: (p: LayoutProgress) => void;
}

interface Seg {
  from: number;
  to: number;
  /** Port centre relative to the source's / target's left edge. */
  fromOff: number;
  toOff: number;
}

function side(p: ElkPort): string | undefined {
  return p.layoutOptions?.['elk.port.side'] ?? p.layoutOptions?.['org.eclipse.elk.port.side'];
}

/**
 * Port positions relative to the node, as ELK reports them: NORTH ports spread evenly across
 * the top in their index order, the others (outputs) at the bottom centre.
 *
 * @example
 * portPositions(toElkGraph(snapshot).children![0]).get('n0:in0'); // { x: 24, y: -8 }
 */
export function portPositions(c: ElkNode): Map<string, { x: number; y: number }> {
  const w = c.width ?? 0;
  const out = new Map<string, { x: number; y: number }>();
  const north = (c.ports ?? []).filter((p) => side(p) === 'NORTH');
  north.sort(
    (a, b) =>
      Number(a.layoutOptions?.['elk.port.index'] ?? 0) -
      Number(b.layoutOptions?.['elk.port.index'] ?? 0),
  );
  north.forEach((p, k) =>
    out.set(p.id, {
      x: Math.round(((k + 1) * w) / (north.length + 1) - PORT_SIZE / 2),
      y: -PORT_SIZE,
    }),
  );
  for (const p of c.ports ?? [])
    if (!out.has(p.id)) out.set(p.id, { x: Math.round(w / 2 - PORT_SIZE / 2), y: c.height ?? 0 });
  return out;
}

/**
 * Lays out a flat ELK input graph (as `toElkGraph` builds it: top-down, numbered NORTH input
 * ports in fixed order, one SOUTH output port) and returns it with positions, port positions
 * and orthogonal edge sections filled in, like `elk.layout` would. Synchronous, O((V+E) log V)
 * plus the dummy nodes of long edges.
 *
 * @example
 * const svg = renderSvg(snapshot, fastLayout(toElkGraph(snapshot)));
 */
export function fastLayout(graph: ElkNode, options: FastLayoutOptions = {}): ElkNode {
  const check = (phase: LayoutProgress['phase'], fraction: number): void => {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('layout cancelled');
    options.onProgress?.({ phase, fraction });
  };
  const input = readGraph(graph);
  check('layers', 0);
  const layerOf = assignLayers(input);
  const net = splitLongEdges(input, layerOf);
  check('order', 0.2);
  const layers = orderLayers(net, options.orderRounds ?? 2);
  check('place', 0.45);
  const { x, width } = placeNodes(net, layers, options.placeRounds ?? 4);
  check('route', 0.7);
  const rows = layerRows(net, layers, x);
  check('route', 0.85);
  const laid = draw(graph, input, net, rows, x);
  check('done', 1);
  return { ...laid, width };
}

/** An edge between two nodes of the input (not a self-loop), by node index. */
interface EdgeEnds {
  s: number;
  sOff: number;
  t: number;
  tOff: number;
}

/** What the layout needs of the input graph, by node index. */
interface Input {
  kids: ElkNode[];
  width: number[];
  height: number[];
  /** Each node's output port centre, relative to its left edge. */
  outOff: number[];
  portPos: Map<string, { x: number; y: number }>;
  /** Edge k's ends, or null for an edge that cannot be placed (returned without sections). */
  ends: (EdgeEnds | null)[];
}

function readGraph(graph: ElkNode): Input {
  const kids = graph.children ?? [];
  const index = new Map<string, number>();
  kids.forEach((c, i) => index.set(c.id, i));
  const portAt = new Map<string, { node: number; off: number }>();
  const portPos = new Map<string, { x: number; y: number }>();
  const width: number[] = [];
  const height: number[] = [];
  const outOff: number[] = [];
  kids.forEach((c, i) => {
    const w = c.width ?? 0;
    width.push(w);
    height.push(c.height ?? 0);
    outOff.push(Math.round(w / 2 - PORT_SIZE / 2) + PORT_SIZE / 2);
    for (const [id, p] of portPositions(c)) {
      portAt.set(id, { node: i, off: p.x + PORT_SIZE / 2 });
      portPos.set(id, p);
    }
  });
  const endOf = (ref: string): { node: number; off: number } | null => {
    const p = portAt.get(ref);
    if (p !== undefined) return p;
    const v = index.get(ref);
    return v === undefined ? null : { node: v, off: outOff[v] };
  };
  const ends = (graph.edges ?? []).map((e): EdgeEnds | null => {
    const s = endOf(e.sources[0] ?? '');
    const t = endOf(e.targets[0] ?? '');
    return s === null || t === null || s.node === t.node
      ? null
      : { s: s.node, sOff: s.off, t: t.node, tOff: t.off };
  });
  return { kids, width, height, outOff, portPos, ends };
}

/**
 * Each node's layer. Kahn's order; a cycle (not expected from autograd) is broken at its
 * lowest-index node, and its closing edges are drawn but do not constrain the layers. Then
 * longest path from the sources; then, bottom-up, nodes move down to just above their nearest
 * consumer when that cannot lengthen other edges: the roots of trees that hang off one
 * consumer (a Linear's weight, TBackward0 and bias feeding its AddmmBackward0), and nodes
 * with at least as many consumers as inputs.
 */
function assignLayers({ kids, ends }: Input): number[] {
  const n = kids.length;
  const targets: number[][] = Array.from({ length: n }, () => []);
  for (const e of ends) if (e !== null) targets[e.s].push(e.t);
  const topo = topologicalOrder(targets);
  const rank = new Int32Array(n);
  topo.forEach((v, i) => (rank[v] = i));
  const layerOf: number[] = new Array<number>(n).fill(0);
  const inCount = new Int32Array(n);
  const outCount = new Int32Array(n);
  for (const v of topo) {
    for (const t of targets[v]) {
      if (rank[t] <= rank[v]) continue;
      layerOf[t] = Math.max(layerOf[t], layerOf[v] + 1);
      inCount[t]++;
      outCount[v]++;
    }
  }
  // hanging[v]: v and everything feeding it form a tree with a single way out.
  const hanging = new Uint8Array(n);
  for (const v of topo) if (outCount[v] === 1 && inCount[v] === 0) hanging[v] = 1;
  const feeds = new Int32Array(n); // inputs that are not hanging
  for (const v of topo) {
    if (outCount[v] === 1 && inCount[v] > 0 && feeds[v] === 0) hanging[v] = 1;
    for (const t of targets[v]) if (rank[t] > rank[v] && !hanging[v]) feeds[t]++;
  }
  for (let i = n - 1; i >= 0; i--) {
    const v = topo[i];
    let below = Infinity;
    for (const t of targets[v]) if (rank[t] > rank[v]) below = Math.min(below, layerOf[t] - 1);
    if (below === Infinity || below <= layerOf[v]) continue;
    if (hanging[v] || outCount[v] >= inCount[v]) layerOf[v] = below;
  }
  return layerOf;
}

/** Kahn's topological order of nodes given each node's targets; a cycle is cut at its lowest index. */
function topologicalOrder(targets: readonly number[][]): number[] {
  const n = targets.length;
  const indeg = new Array<number>(n).fill(0);
  for (const list of targets) for (const t of list) indeg[t]++;
  const topo: number[] = [];
  const done = new Uint8Array(n);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
  let nextForced = 0;
  let head = 0;
  while (topo.length < n) {
    if (head === queue.length) {
      while (done[nextForced]) nextForced++;
      queue.push(nextForced);
      indeg[nextForced] = 0;
    }
    const v = queue[head++];
    if (done[v]) continue;
    done[v] = 1;
    topo.push(v);
    for (const t of targets[v]) if (!done[t] && --indeg[t] === 0) queue.push(t);
  }
  return topo;
}

/** The layered graph: the input's nodes, then one dummy node per layer a long edge crosses. */
interface Net {
  /** Input nodes; indices from here on are dummies. */
  n: number;
  total: number;
  layerOf: number[];
  layerCount: number;
  width: number[];
  height: number[];
  segs: Seg[];
  /** Per node, its incoming segments in port order (left to right on the consumer), and its outgoing ones. */
  ins: number[][];
  outSegs: number[][];
  /** Edge k's segments top to bottom; null for an edge against the layering or not placed. */
  chainSegs: (number[] | null)[];
}

function splitLongEdges(input: Input, layerOf: number[]): Net {
  const n = input.kids.length;
  const width = [...input.width];
  const height = [...input.height];
  let maxDepth = 0;
  for (let i = 0; i < n; i++) maxDepth = Math.max(maxDepth, layerOf[i]);
  const segs: Seg[] = [];
  let total = n;
  const chainSegs = input.ends.map((e): number[] | null => {
    if (e === null || layerOf[e.t] <= layerOf[e.s]) return null;
    const c = [e.s];
    for (let l = layerOf[e.s] + 1; l < layerOf[e.t]; l++) {
      layerOf.push(l);
      width.push(0);
      height.push(0);
      c.push(total++);
    }
    c.push(e.t);
    const mine: number[] = [];
    for (let j = 0; j + 1 < c.length; j++) {
      mine.push(segs.length);
      segs.push({
        from: c[j],
        to: c[j + 1],
        fromOff: j === 0 ? e.sOff : 0,
        toOff: j + 2 === c.length ? e.tOff : 0,
      });
    }
    return mine;
  });
  const ins: number[][] = Array.from({ length: total }, () => []);
  const outSegs: number[][] = Array.from({ length: total }, () => []);
  segs.forEach((s, i) => {
    outSegs[s.from].push(i);
    ins[s.to].push(i);
  });
  for (const list of ins) list.sort((a, b) => segs[a].toOff - segs[b].toOff);
  return {
    n,
    total,
    layerOf,
    layerCount: maxDepth + 1,
    width,
    height,
    segs,
    ins,
    outSegs,
    chainSegs,
  };
}

/**
 * The nodes of each layer, left to right: depth-first from the sinks, inputs in port order,
 * so a tree is drawn planar; then `rounds` barycenter sweeps down and up.
 */
function orderLayers(net: Net, rounds: number): number[][] {
  const { total, layerOf, layerCount, segs, ins, outSegs, width } = net;
  const layers: number[][] = Array.from({ length: layerCount }, () => []);
  const seen = new Uint8Array(total);
  const roots: number[] = [];
  for (let i = 0; i < net.n; i++) if (outSegs[i].length === 0) roots.push(i);
  for (let i = 0; i < total; i++) roots.push(i); // anything unreached, in index order
  const stack: number[] = [];
  for (const r of roots) {
    if (seen[r]) continue;
    stack.push(r);
    for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
      if (seen[v]) continue;
      seen[v] = 1;
      layers[layerOf[v]].push(v);
      const inn = ins[v];
      for (let j = inn.length - 1; j >= 0; j--)
        if (!seen[segs[inn[j]].from]) stack.push(segs[inn[j]].from);
    }
  }
  const pos = new Float64Array(total);
  const setPos = (layer: number[]): void => layer.forEach((v, i) => (pos[v] = i));
  layers.forEach(setPos);
  const sortLayer = (layer: number[], key: Float64Array): void => {
    layer.sort((a, b) => key[a] - key[b] || pos[a] - pos[b]);
    setPos(layer);
  };
  const key = new Float64Array(total);
  for (let r = 0; r < rounds; r++) {
    for (let l = 1; l < layerCount; l++) {
      for (const v of layers[l]) {
        const inn = ins[v];
        if (inn.length === 0) key[v] = pos[v];
        else {
          let s = 0;
          for (const i of inn) s += pos[segs[i].from];
          key[v] = s / inn.length;
        }
      }
      sortLayer(layers[l], key);
    }
    for (let l = layerCount - 2; l >= 0; l--) {
      for (const v of layers[l]) {
        const out = outSegs[v];
        if (out.length === 0) key[v] = pos[v];
        else {
          let s = 0;
          for (const i of out) {
            const sg = segs[i];
            const w = width[sg.to];
            // Which port of the consumer: inputs of one node keep their port order.
            s += pos[sg.to] + (w > 0 ? sg.toOff / w - 0.5 : 0);
          }
          key[v] = s / out.length;
        }
      }
      sortLayer(layers[l], key);
    }
  }
  return layers;
}

/**
 * Left edges: per layer, the order-preserving placement closest (least squares) to the
 * neighbours' ports, alternating down and up; shifted so the leftmost node is at 0. Also the
 * drawing's width.
 */
function placeNodes(
  net: Net,
  layers: number[][],
  rounds: number,
): { x: Float64Array; width: number } {
  const { total, layerCount, segs, ins, outSegs, width } = net;
  const isDummy = (v: number): boolean => v >= net.n;
  const x = new Float64Array(total);
  const gap = (a: number, b: number): number =>
    isDummy(a) && isDummy(b) ? EDGE_GAP : isDummy(a) || isDummy(b) ? EDGE_NODE_GAP : NODE_GAP;
  for (const layer of layers) {
    let cx = 0;
    layer.forEach((v, i) => {
      if (i > 0) cx += gap(layer[i - 1], v);
      x[v] = cx;
      cx += width[v];
    });
  }
  const desired = new Float64Array(total);
  const weight = new Float64Array(total);
  // Inputs with no inputs of their own (leaves, proxies) follow their consumer rather than
  // pull it aside: otherwise a chain with a side input at every step drifts sideways.
  // And a chain is kept vertical by aligning centres, not ports: aligning each node's input
  // port (left of its centre when it has two) under its input would shift every node of a
  // long chain a little further right. Sources sit right above their port.
  const pull = (from: number): number => (ins[from].length === 0 ? 0.05 : 1);
  const aim = (sg: Seg): number => (ins[sg.from].length === 0 ? sg.toOff : width[sg.to] / 2);
  const place = (layer: number[], fromAbove: boolean, fromBelow: boolean): void => {
    for (const v of layer) {
      let s = 0;
      let c = 0;
      if (fromAbove)
        for (const i of ins[v]) {
          const sg = segs[i];
          const w = pull(sg.from);
          s += w * (x[sg.from] + sg.fromOff - aim(sg));
          c += w;
        }
      if (fromBelow)
        for (const i of outSegs[v]) {
          const sg = segs[i];
          s += x[sg.to] + aim(sg) - sg.fromOff;
          c++;
        }
      desired[v] = c === 0 ? x[v] : s / c;
      // Sources give way to the nodes beside them, dummies (long edges) hold their line.
      // Sources barely count: pooled with a chain's node, even a small weight each moved it
      // towards them, and the next layer followed (an unrolled RNN ran off diagonally).
      weight[v] =
        (c === 0 ? 0.05 : ins[v].length === 0 && !isDummy(v) ? SOURCE_WEIGHT : 1) *
        (isDummy(v) ? DUMMY_WEIGHT : 1);
    }
    isotonicPlace(layer, desired, weight, width, gap, x);
  };
  for (let r = 0; r < rounds; r++) {
    for (let l = 1; l < layerCount; l++) place(layers[l], true, r > 0);
    for (let l = layerCount - 2; l >= 0; l--) place(layers[l], r > 0, true);
  }
  let minX = Infinity;
  let maxX = -Infinity;
  for (let v = 0; v < total; v++) {
    minX = Math.min(minX, x[v]);
    maxX = Math.max(maxX, x[v] + width[v]);
  }
  if (total === 0) minX = maxX = 0;
  for (let v = 0; v < total; v++) x[v] = Math.round(x[v] - minX);
  return { x, width: maxX - minX };
}

/** Where each layer and each edge track lies vertically. */
interface Rows {
  layerTop: Float64Array;
  /** The track (0-based, in the gap below its source's layer) of each bent segment, -1 if straight. */
  trackOf: Int32Array;
  trackY: (layer: number, track: number) => number;
  /** The drawing's height. */
  height: number;
}

/**
 * Edge tracks and layer heights: a segment whose ends are not aligned turns in the gap below
 * its source's layer; segments leaving one node share a track, the others get tracks greedily.
 */
function layerRows(net: Net, layers: number[][], x: Float64Array): Rows {
  const { segs, outSegs, layerCount, layerOf, height, total } = net;
  const trackOf = new Int32Array(segs.length).fill(-1);
  const tracks = new Array<number>(layerCount).fill(0);
  for (let l = 0; l < layerCount - 1; l++) {
    const spans: { lo: number; hi: number; segs: number[] }[] = [];
    for (const v of layers[l]) {
      let lo = Infinity;
      let hi = -Infinity;
      const bent: number[] = [];
      for (const i of outSegs[v]) {
        const sg = segs[i];
        const a = x[sg.from] + sg.fromOff;
        const b = x[sg.to] + sg.toOff;
        if (Math.abs(a - b) < 0.5) continue;
        lo = Math.min(lo, a, b);
        hi = Math.max(hi, a, b);
        bent.push(i);
      }
      if (bent.length) spans.push({ lo, hi, segs: bent });
    }
    spans.sort((a, b) => a.lo - b.lo || a.hi - b.hi);
    const ends: number[] = []; // right end of each track so far
    for (const sp of spans) {
      let t = ends.findIndex((e) => e + TRACK_GAP <= sp.lo);
      if (t < 0) {
        t = ends.length;
        ends.push(sp.hi);
      } else ends[t] = sp.hi;
      for (const i of sp.segs) trackOf[i] = t;
    }
    tracks[l] = ends.length;
  }
  const layerTop = new Float64Array(layerCount);
  const layerHeight = new Float64Array(layerCount);
  for (let v = 0; v < total; v++)
    layerHeight[layerOf[v]] = Math.max(layerHeight[layerOf[v]], height[v]);
  const gapHeight = (l: number): number =>
    Math.max(LAYER_GAP, 2 * PORT_SIZE + (tracks[l] + 1) * TRACK_GAP);
  let y = PORT_SIZE;
  for (let l = 0; l < layerCount; l++) {
    layerTop[l] = y;
    y += layerHeight[l] + (l + 1 < layerCount ? gapHeight(l) : PORT_SIZE);
  }
  const trackY = (l: number, t: number): number => {
    const top = layerTop[l] + layerHeight[l] + PORT_SIZE;
    const bottom = layerTop[l + 1] - PORT_SIZE;
    return Math.round(top + ((t + 1) * (bottom - top)) / (tracks[l] + 1));
  };
  return { layerTop, trackOf, trackY, height: y };
}

/** The input graph with positions, port positions and edge routes, in ELK's result shape. */
function draw(graph: ElkNode, input: Input, net: Net, rows: Rows, x: Float64Array): ElkNode {
  const { layerOf, height, segs } = net;
  const { layerTop, trackOf, trackY } = rows;
  const children: ElkNode[] = input.kids.map((c, i) => ({
    ...c,
    x: x[i],
    y: layerTop[layerOf[i]],
    ports: (c.ports ?? []).map((p) => ({ ...p, ...input.portPos.get(p.id) })),
  }));
  const edges: ElkExtendedEdge[] = (graph.edges ?? []).map((e, k) => {
    const en = input.ends[k];
    if (en === null) return { ...e, sections: [] };
    // Output ports are not drawn: the edge leaves the node's bottom border.
    const start = { x: x[en.s] + en.sOff, y: layerTop[layerOf[en.s]] + height[en.s] };
    const end = { x: x[en.t] + en.tOff, y: layerTop[layerOf[en.t]] - PORT_SIZE };
    const pts = [start];
    const chain = net.chainSegs[k];
    if (chain === null) {
      // Against the layering (a broken cycle): a plain detour.
      pts.push({ x: start.x, y: start.y + TRACK_GAP }, { x: end.x, y: start.y + TRACK_GAP });
    } else {
      for (const i of chain) {
        const sg = segs[i];
        if (trackOf[i] < 0) continue;
        const ty = trackY(layerOf[sg.from], trackOf[i]);
        pts.push({ x: x[sg.from] + sg.fromOff, y: ty }, { x: x[sg.to] + sg.toOff, y: ty });
      }
    }
    pts.push(end);
    return {
      ...e,
      sections: [
        { id: `${e.id}:s0`, startPoint: start, endPoint: end, bendPoints: pts.slice(1, -1) },
      ],
    };
  });
  return { ...graph, x: 0, y: 0, width: 0, height: rows.height, children, edges };
}

/**
 * Places one layer's nodes in their order, each at least `gap` apart, as close as possible
 * (weighted least squares) to its desired left edge: pool-adjacent-violators on the
 * positions minus their minimum offsets.
 */
function isotonicPlace(
  layer: number[],
  desired: Float64Array,
  weight: Float64Array,
  width: number[],
  gap: (a: number, b: number) => number,
  x: Float64Array,
): void {
  const m = layer.length;
  if (m === 0) return;
  const offset = new Float64Array(m);
  for (let i = 1; i < m; i++)
    offset[i] = offset[i - 1] + width[layer[i - 1]] + gap(layer[i - 1], layer[i]);
  // Blocks of pooled nodes (a stack of `blocks`): weighted mean target, weight, first index.
  const bMean = new Float64Array(m);
  const bWeight = new Float64Array(m);
  const bStart = new Int32Array(m);
  let blocks = 0;
  for (let i = 0; i < m; i++) {
    let mean = desired[layer[i]] - offset[i];
    let w = weight[layer[i]];
    let start = i;
    while (blocks > 0 && bMean[blocks - 1] >= mean) {
      blocks--;
      const pw = bWeight[blocks];
      start = bStart[blocks];
      mean = (bMean[blocks] * pw + mean * w) / (pw + w);
      w += pw;
    }
    bMean[blocks] = mean;
    bWeight[blocks] = w;
    bStart[blocks] = start;
    blocks++;
  }
  for (let b = 0; b < blocks; b++) {
    const end = b + 1 < blocks ? bStart[b + 1] : m;
    for (let i = bStart[b]; i < end; i++) x[layer[i]] = bMean[b] + offset[i];
  }
}
