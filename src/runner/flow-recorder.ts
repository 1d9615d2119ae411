// What flowed through each node of one backward pass, recorded as the engine runs it (see
// BackwardObserver in src/engine/autograd/engine.ts). Tensors are summarized on the spot:
// a leaf's .grad changes in place, and later nodes may reuse what earlier ones sent.
import * as torch from '../engine/index';
import type { Tensor } from '../engine/index';
import {
  FLOW_AUTO_MAX_NODES,
  type FlowPolicy,
  type NodeFlow,
  type TensorSummary,
} from '../protocol/messages';
import { summarizeExact } from './summary';

type Node = torch.autograd.Node;
type AccumulateGrad = torch.autograd.AccumulateGrad;

/** Whether a capture of a graph with `nodes` function and AccumulateGrad nodes records its flow. */
export function recordsFlow(policy: FlowPolicy, nodes: number): boolean {
  switch (policy) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'auto':
      return nodes <= FLOW_AUTO_MAX_NODES;
  }
}

export class FlowRecorder implements torch._BackwardObserver {
  readonly flows = new Map<Node, NodeFlow>();
  private readonly leaves: AccumulateGrad[] = [];

  ran(
    node: Node,
    gradOutputs: readonly (Tensor | null)[],
    gradInputs: readonly (Tensor | null)[],
  ): void {
    const sent: (TensorSummary | null)[] = [];
    for (let i = 0, count = node._edgeCount; i < count; i++) {
      const g = gradInputs[i] ?? null;
      sent.push(g === null || node._edge(i) === null ? null : summarizeExact(g));
    }
    this.flows.set(node, {
      order: this.flows.size,
      gradOutputs: gradOutputs.map((g) => (g === null ? null : summarizeExact(g))),
      gradInputs: sent,
    });
  }

  accumulating(node: AccumulateGrad, grad: Tensor): void {
    const before = node.variable.grad;
    this.flows.set(node, {
      order: this.flows.size,
      gradOutputs: [summarizeExact(grad)],
      gradInputs: [],
      gradBefore: before === null ? null : summarizeExact(before),
    });
    this.leaves.push(node);
  }

  /**
   * The backward is over: each leaf's `.grad` after it (every AccumulateGrad runs once per
   * backward, so this is its value right after the node ran); null where nothing was added.
   */
  finish(accumulated: boolean): void {
    for (const n of this.leaves) {
      const flow = this.flows.get(n);
      const after = n.variable.grad;
      if (flow !== undefined)
        flow.gradAfter = accumulated && after !== null ? summarizeExact(after) : null;
    }
  }
}
