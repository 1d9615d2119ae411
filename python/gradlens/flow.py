"""The backward pass as it ran (src/protocol/messages.ts NodeFlow): for every node, the
gradients that arrived (grad_outputs), those it sent along each `next` edge (grad_inputs) and
its place in the engine's order; for AccumulateGrad, the leaf's .grad before and after.
Recorded with node post-hooks (Node.register_hook, which torch 1.13 has), only when asked."""
from __future__ import annotations

import weakref
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from .graph import Node, is_accumulate
from .protocol import FLOW_AUTO_MAX_NODES, Json
from .summary import Summary, summarize


def records_flow(policy: str, nodes: int) -> bool:
    return policy == "always" or (policy == "auto" and nodes <= FLOW_AUTO_MAX_NODES)


def _plain_summary(exact: Summary) -> Summary:
    """The summary `summarize` gives, from the exact one of the same tensor."""
    return {k: v for k, v in exact.items() if k != "norm" and k != "values"}


class FlowRecorder:
    """Hooks every node of `order`; `flows` fills in (by node index) as backward runs, and
    `grads` gets each function node's incoming gradient, as the capture's own hook would."""

    def __init__(self, order: Sequence[Node], grads: Dict[int, Summary]) -> None:
        self.flows: Dict[int, Json] = {}
        self._grads = grads
        # A gradient one node sends is, most often, the very tensor the next node receives:
        # summarized once (by the tensor's id, while it lives and is not changed in place).
        self._summaries: Dict[int, Tuple[Any, int, Summary]] = {}
        self._before: Dict[int, Optional[Summary]] = {i: self._exact(n.variable.grad) for i, n in enumerate(order) if is_accumulate(n)}
        self.hooks: List[Any] = [n.register_hook(self._hook(i, n)) for i, n in enumerate(order)]

    def _exact(self, t: Optional[torch.Tensor]) -> Optional[Summary]:
        if t is None:
            return None
        known = self._summaries.get(id(t))
        version = t._version
        if known is not None and known[0]() is t and known[1] == version:
            return known[2]
        summary = summarize(t, exact=True)
        self._summaries[id(t)] = (weakref.ref(t), version, summary)
        return summary

    def _hook(self, i: int, node: Node) -> Any:
        accumulate = is_accumulate(node)
        edges = len(node.next_functions)

        def hook(grad_inputs: Sequence[Optional[torch.Tensor]], grad_outputs: Sequence[Optional[torch.Tensor]]) -> None:
            try:
                received = [self._exact(g) for g in grad_outputs]
                flow: Json = {"order": len(self.flows), "gradOutputs": received}
                if accumulate:
                    flow["gradInputs"] = []
                    flow["gradBefore"] = self._before[i]
                    flow["gradAfter"] = self._exact(node.variable.grad)
                else:
                    sent = [self._exact(g) for g in grad_inputs[:edges]]
                    flow["gradInputs"] = sent + [None] * (edges - len(sent))
                    incoming = next((s for s in received if s is not None), None)
                    if incoming is not None:
                        self._grads[i] = _plain_summary(incoming)
                self.flows[i] = flow
            except Exception:
                pass  # a summary problem must not fail the user's backward

        return hook
