"""The backward pass as it ran (src/protocol/messages.ts NodeFlow): for every node, the
gradients that arrived (grad_outputs), those it sent along each `next` edge (grad_inputs) and
its place in the engine's order; for AccumulateGrad, the leaf's .grad before and after.
Recorded with node post-hooks (Node.register_hook, which torch 1.13 has), only when asked.

A plain backward() leaves the AccumulateGrad nodes unhooked: a parameter's node outlives the
step (the next forward runs while the last loss still holds it, and reuses it), and PyTorch
keeps a hooked node's Python hook holder after the hook is removed, so every later step would
call into Python for each parameter. What such a node received is what its producers sent
along their edges to it (summed, as the engine's input buffer sums them), and its place in
the order is replayed (engine_order.py)."""
from __future__ import annotations

import weakref
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

from .engine_order import engine_order
from .graph import Node, is_accumulate
from .protocol import FLOW_AUTO_MAX_NODES, Json
from .summary import Summary, summarize


def records_flow(policy: str, nodes: int) -> bool:
    return policy == "always" or (policy == "auto" and nodes <= FLOW_AUTO_MAX_NODES)


def _plain_summary(exact: Summary) -> Summary:
    """The summary `summarize` gives, from the exact one of the same tensor."""
    return {k: v for k, v in exact.items() if k != "norm" and k != "values"}


class FlowRecorder:
    """Hooks the nodes of `order`; `flows` fills in (by node index) as backward runs, and
    `grads` gets each function node's incoming gradient, as the capture's own hook would.
    `leaves`: "derive" for a plain backward() from the function nodes `roots` (AccumulateGrad
    flows derived at `finish`), "hook" to hook the AccumulateGrad nodes too (a backward() with
    `inputs`, or from a leaf), "none" when they do not run (autograd.grad)."""

    def __init__(self, order: Sequence[Node], index_of: Dict[Node, int], grads: Dict[int, Summary], roots: Sequence[int], leaves: str) -> None:
        self.flows: Dict[int, Json] = {}
        self._grads = grads
        self._roots = list(roots)
        self._accumulate = [is_accumulate(n) for n in order]
        self._derive = leaves == "derive"
        self._nexts: List[List[Optional[int]]] = [[None if m is None else index_of[m] for m, _ in n.next_functions] for n in order]
        # A gradient one node sends is, most often, the very tensor the next node receives:
        # summarized once (by the tensor's id, while it lives and is not changed in place).
        self._summaries: Dict[int, Tuple[Any, int, Summary]] = {}
        self._before: Dict[int, Optional[Summary]] = {i: self._exact(n.variable.grad) for i, n in enumerate(order) if self._accumulate[i]}
        self._variables = {i: n.variable for i, n in enumerate(order) if self._accumulate[i] and self._derive}
        # Derived AccumulateGrad inputs: the running sum of what arrived, and its summary.
        self._arrived: Dict[int, Tuple[torch.Tensor, Summary]] = {}
        # Function nodes by the order they ran in.
        self._seen: Dict[int, int] = {}
        hooked = [i for i, acc in enumerate(self._accumulate) if not acc or leaves == "hook"]
        self.hooks: List[Any] = [order[i].register_hook(self._hook(i, order[i])) for i in hooked]

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
        accumulate = self._accumulate[i]
        edges = len(self._nexts[i])

        def hook(grad_inputs: Sequence[Optional[torch.Tensor]], grad_outputs: Sequence[Optional[torch.Tensor]]) -> None:
            if not accumulate:
                self._seen[i] = len(self._seen)
            try:
                received = [self._exact(g) for g in grad_outputs]
                flow: Json = {"order": len(self.flows), "gradOutputs": received}
                if accumulate:
                    flow["gradInputs"] = []
                    flow["gradBefore"] = self._before[i]
                    flow["gradAfter"] = self._exact(node.variable.grad)
                else:
                    sent_tensors = list(grad_inputs[:edges])
                    sent = [self._exact(g) for g in sent_tensors]
                    flow["gradInputs"] = sent + [None] * (edges - len(sent))
                    if self._derive:
                        self._deliver(i, sent_tensors, sent)
                    incoming = next((s for s in received if s is not None), None)
                    if incoming is not None:
                        self._grads[i] = _plain_summary(incoming)
                self.flows[i] = flow
            except Exception:
                pass  # a summary problem must not fail the user's backward

        return hook

    def _deliver(self, i: int, sent: Sequence[Optional[torch.Tensor]], summaries: Sequence[Optional[Summary]]) -> None:
        """What node i sent to AccumulateGrad nodes, added up as the engine's input buffer
        does: here, before the engine adds it (in place, into the first tensor that came)."""
        for j, g, summary in zip(self._nexts[i], sent, summaries):
            if j is None or g is None or summary is None or not self._accumulate[j]:
                continue
            known = self._arrived.get(j)
            if known is None:
                self._arrived[j] = (g, summary)
            else:
                with torch.no_grad():  # a create_graph backward's gradients have history
                    total = known[0] + g
                self._arrived[j] = (total, summarize(total, exact=True))

    def finish(self) -> None:
        """After backward(): the AccumulateGrad flows derived, and every flow's place in the
        engine's order. If the replay disagrees with what was seen, AccumulateGrad nodes get
        no flow rather than a guessed one."""
        if not self._derive:
            return
        ran = engine_order(self._nexts, self._roots, self._accumulate, self._seen)
        if ran is None:
            return
        for place, i in enumerate(ran):
            if self._accumulate[i]:
                arrived = self._arrived.get(i)
                grad = self._variables[i].grad
                self.flows[i] = {
                    "order": place, "gradOutputs": [arrived[1] if arrived is not None else None], "gradInputs": [],
                    "gradBefore": self._before[i], "gradAfter": self._exact(grad),
                }
            elif i in self.flows:
                self.flows[i]["order"] = place
        self._arrived.clear()
