// NaN and Inf in a captured graph, named the way a user looks for them: the leaf that already
// held them, else the first op (in creation order) whose output had them, else the earliest
// saved tensor or the output; and separately the first node whose incoming gradient had them.
import type * as torch from '../engine/index';
import type { Anomaly, GraphNode, TensorSummary } from '../protocol/messages';

type Node = torch.autograd.Node;

/**
 * What a light capture knows beyond the nodes: saved tensors per engine node (the i-th in
 * `order` is graph node `n${i}`), and the outputs' values.
 */
export interface AnomalyEvidence {
  order: Node[];
  saved: Map<Node, TensorSummary[]>;
  rootValues: TensorSummary[];
}

export interface FoundAnomalies {
  anomalies: Anomaly[];
  /** An op's own output was seen producing NaN/Inf (only a full capture can see this). */
  precise: boolean;
}

type Kind = Anomaly['kind'];

const kindOf = (t: TensorSummary): Kind => (t.nanCount > 0 ? 'nan' : 'inf');
const word = (k: Kind): string => (k === 'nan' ? 'NaN' : 'Inf');
const nonFinite = (t: TensorSummary): boolean => t.nanCount > 0 || t.infCount > 0;
/**
 * Ops that write a value the script chose where a mask says so: `scores.maskedFill(future,
 * -Infinity)` before a softmax is how attention hides positions, not a fault. Their Inf is
 * not reported; an Inf they pass on from their input was reported at the op that made it.
 */
const MASKING_OPS = new Set(['MaskedFillBackward0', 'WhereBackward0']);
const producedNonFinite = (n: GraphNode, t: TensorSummary): boolean =>
  t.nanCount > 0 || (t.infCount > 0 && !MASKING_OPS.has(n.name));
const where = (n: GraphNode): string =>
  n.location === null ? '' : ` at ${n.location.file}:${n.location.line}:${n.location.column}`;

/** The first node of `nodes` whose `pick` summary is flagged by `bad`, with that summary. */
function firstWith(
  nodes: GraphNode[],
  pick: (n: GraphNode) => TensorSummary | null,
  bad: (t: TensorSummary, n: GraphNode) => boolean,
): { node: GraphNode; t: TensorSummary } | null {
  for (const node of nodes) {
    const t = pick(node);
    if (t !== null && bad(t, node)) return { node, t };
  }
  return null;
}

export function findAnomalies(nodes: GraphNode[], evidence: AnomalyEvidence): FoundAnomalies {
  const out: Anomaly[] = [];
  const fns = nodes.filter((n) => n.kind === 'function');
  const leaves = nodes.filter((n) => n.kind === 'leaf');
  const badLeaf = firstWith(leaves, (n) => n.value, nonFinite);
  if (badLeaf !== null) {
    const k = kindOf(badLeaf.t);
    out.push({
      kind: k,
      where: 'value',
      nodeId: badLeaf.node.id,
      message: `leaf ${badLeaf.node.name || '(unnamed)'} already contains ${word(k)}`,
    });
  }
  const byCreation = [...fns].sort((a, b) => a.sequenceNr - b.sequenceNr);
  const firstValue = firstWith(
    byCreation,
    (n) => n.value,
    (t, n) => producedNonFinite(n, t),
  );
  if (firstValue !== null) {
    const k = kindOf(firstValue.t);
    const n = firstValue.node;
    out.push({
      kind: k,
      where: 'value',
      nodeId: n.id,
      message: `${n.name}${where(n)} is the first op that produced ${word(k)}`,
    });
  } else if (badLeaf === null) {
    out.push(...earliestEvidence(nodes, evidence));
  }
  const firstGrad = firstWith(byCreation.reverse(), (n) => n.grad, nonFinite);
  if (firstGrad !== null) {
    const k = kindOf(firstGrad.t);
    const n = firstGrad.node;
    out.push({
      kind: k,
      where: 'grad',
      nodeId: n.id,
      message: `the gradient reaching ${n.name}${where(n)} is the first with ${word(k)}`,
    });
  }
  return { anomalies: out.filter((a) => a.nodeId !== ''), precise: firstValue !== null };
}

/**
 * Light capture: no op outputs were recorded; the first op whose saved inputs hold a
 * non-finite value is the earliest evidence, else the output itself.
 */
function earliestEvidence(nodes: GraphNode[], e: AnomalyEvidence): Anomaly[] {
  for (const [i, n] of e.order.entries()) {
    const bad = e.saved.get(n)?.find(nonFinite);
    if (bad === undefined) continue;
    // Looked up only here: a search per engine node made this quadratic in the graph's size.
    const node = nodes.find((x) => x.id === `n${i}`);
    if (node === undefined) continue;
    const k = kindOf(bad);
    return [
      {
        kind: k,
        where: 'value',
        nodeId: node.id,
        message: `${word(k)} first seen in what ${node.name}${where(node)} saved for backward (the next full capture names the op that produced it)`,
      },
    ];
  }
  const root = e.rootValues.find(nonFinite);
  if (root === undefined) return [];
  return [
    {
      kind: kindOf(root),
      where: 'value',
      nodeId: 'out0',
      message: `the output is ${word(kindOf(root))}`,
    },
  ];
}
