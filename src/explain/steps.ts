// A snapshot's recorded flow (NodeFlow) as the steps of its backward pass, in the order the
// engine ran them: what each node received and from whom (a sum where several edges met),
// and what it sent to each input. Pure data, for the text of --explain and for any view.
import type { GraphNode, GraphSnapshot, NodeFlow, TensorSummary } from '../protocol/messages';

/** A gradient that reached a node along one edge: from input `slot` of `from`. */
export interface Contribution {
  from: GraphNode;
  slot: number;
  grad: TensorSummary;
  /** Which output of the node it reached (not 0 only for multi-output nodes: `chunk`, `split`). */
  output: number;
}

/** What a node sent to one of its inputs. */
export interface Sent {
  slot: number;
  /** The input's node; null where the input needs no gradient. */
  to: GraphNode | null;
  grad: TensorSummary | null;
}

export interface BackwardStep {
  node: GraphNode;
  flow: NodeFlow;
  /** The gradient the node ran with (after hooks); for a multi-output node, its output 0's. */
  received: TensorSummary | null;
  /** The edges it came along; more than one where the gradients were summed (fan-in). */
  contributions: Contribution[];
  sent: Sent[];
  /** For an AccumulateGrad: its leaf tensor node. */
  leaf: GraphNode | null;
  /** The output tensor node whose gradient seeded the pass here, if this node is a root. */
  seededBy: GraphNode | null;
}

/** The steps of the snapshot's backward pass; empty when its flow was not recorded. */
export function backwardSteps(s: GraphSnapshot): BackwardStep[] {
  const byId = new Map(s.nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, Contribution[]>();
  const leafOf = new Map<string, GraphNode>();
  const outputOf = new Map<string, GraphNode>();
  for (const n of s.nodes) {
    if (n.kind === 'leaf' && n.attachedTo !== null) leafOf.set(n.attachedTo, n);
    if (n.kind === 'output' && n.attachedTo !== null) outputOf.set(n.attachedTo, n);
    n.next.forEach((e, slot) => {
      const grad = n.flow?.gradInputs[slot] ?? null;
      if (e === null || grad === null) return;
      const list = incoming.get(e.id) ?? [];
      list.push({ from: n, slot, grad, output: e.inputNr });
      incoming.set(e.id, list);
    });
  }
  const steps: BackwardStep[] = [];
  for (const node of s.nodes) {
    const flow = node.flow;
    if (flow === undefined) continue;
    steps.push({
      node,
      flow,
      received: flow.gradOutputs[0] ?? null,
      contributions: incoming.get(node.id) ?? [],
      sent: node.next.map((e, slot) => ({
        slot,
        to: e === null ? null : (byId.get(e.id) ?? null),
        grad: flow.gradInputs[slot] ?? null,
      })),
      leaf: leafOf.get(node.id) ?? null,
      seededBy: outputOf.get(node.id) ?? null,
    });
  }
  return steps.sort((a, b) => a.flow.order - b.flow.order);
}
