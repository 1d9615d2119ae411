"""The backward pass as it ran (src/protocol/messages.ts NodeFlow): for every node, the
gradients that arrived (grad_outputs), those it sent along each `next` edge (grad_inputs) and
its place in the engine's order; for AccumulateGrad, the leaf's .grad before and after.
Recorded with node post-hooks (Node.register_hook, which torch 1.13 has), only when asked."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

import torch

from .graph import Node, is_accumulate
from .protocol import FLOW_AUTO_MAX_NODES, Json
from .summary import Summary, summarize


def records_flow(policy: str, nodes: int) -> bool:
    return policy == "always" or (policy == "auto" and nodes <= FLOW_AUTO_MAX_NODES)


def _exact(t: Optional[torch.Tensor]) -> Optional[Summary]:
    return None if t is None else summarize(t, exact=True)


class FlowRecorder:
    """Hooks every node of `order`; `flows` fills in (by node index) as backward runs, and
    `grads` gets each function node's incoming gradient, as the capture's own hook would."""

    def __init__(self, order: Sequence[Node], grads: Dict[int, Summary]) -> None:
        self.flows: Dict[int, Json] = {}
        self._grads = grads
        self._before: Dict[int, Optional[Summary]] = {i: _exact(n.variable.grad) for i, n in enumerate(order) if is_accumulate(n)}
        self.hooks: List[Any] = [n.register_hook(self._hook(i, n)) for i, n in enumerate(order)]

    def _hook(self, i: int, node: Node) -> Any:
        accumulate = is_accumulate(node)
        edges = len(node.next_functions)

        def hook(grad_inputs: Sequence[Optional[torch.Tensor]], grad_outputs: Sequence[Optional[torch.Tensor]]) -> None:
            try:
                flow: Json = {"order": len(self.flows), "gradOutputs": [_exact(g) for g in grad_outputs]}
                if accumulate:
                    flow["gradInputs"] = []
                    flow["gradBefore"] = self._before[i]
                    flow["gradAfter"] = _exact(node.variable.grad)
                else:
                    sent = [_exact(g) for g in grad_inputs[:edges]]
                    flow["gradInputs"] = sent + [None] * (edges - len(sent))
                    incoming = next((g for g in grad_outputs if g is not None), None)
                    if incoming is not None:
                        self._grads[i] = summarize(incoming)
                self.flows[i] = flow
            except Exception:
                pass  # a summary problem must not fail the user's backward

        return hook
