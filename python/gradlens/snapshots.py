"""A full capture's snapshot (src/protocol/messages.ts GraphSnapshot): the graph walked and
its values summarized before backward() frees them (`begin`), gradients and names added
after it (`complete`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import torch

from . import features, graph
from .anomalies import find_anomalies, has_precise
from .flow import FlowRecorder, records_flow
from .graph import Node, creation_ranks, is_accumulate, is_compiled, root_node, saved_tensors, walk
from .leafnames import LeafNames
from .modules import plain_path
from .protocol import Json, RunOptions
from .recorder import NodeMeta, Recorder, meta_of
from .summary import Summary, summarize
from .userframes import names_in_frames, output_name
from .varnames import names_by_node, tensors_in_frames


@dataclass
class Pending:
    """A capture in progress: structure and values taken before backward, gradients after."""

    index: int
    trigger: str
    roots: List[torch.Tensor]
    call_site: Optional[Json]
    order: List[Node]
    index_of: Dict[Node, int]
    consumer: Dict[Node, Tuple[Node, int]]
    root_values: List[Summary]
    leaf_values: Dict[int, Summary] = field(default_factory=dict)
    saved: Dict[int, List[Summary]] = field(default_factory=dict)
    grads: Dict[int, Summary] = field(default_factory=dict)
    hooks: List[Any] = field(default_factory=list)
    flow: Optional[FlowRecorder] = None


@dataclass
class Template:
    """The last full capture's per-node facts, reused for a light rebuild of the same graph."""

    names: List[str]
    locations: List[Optional[Json]]
    modules: List[List[str]]
    calls: List[List[int]]
    call_site: Optional[Json]
    sequence: List[int]


class SnapshotBuilder:
    def __init__(self, options: RunOptions, has: Dict[Any, bool], recorder: Recorder, notice: Callable[[str, str], None],
                 names: LeafNames, kept_grad: Callable[[torch.Tensor, int], Optional[Summary]]) -> None:
        self.options = options
        self.has = has
        self.recorder = recorder
        self._notice = notice
        self.names = names
        # A rebuild at the end names a leaf's gradient as the capture kept it (by step).
        self._kept_grad = kept_grad
        self.template: Optional[Template] = None
        # The last snapshot had the template's nodes and its ops' source lines: a loop.
        self.repeats_template = False
        self.has_precise_anomaly = False
        self._told_compiled = False

    def begin(self, index: int, trigger: str, roots: List[torch.Tensor], call_site: Optional[Json], live: bool, partial: bool = False) -> Pending:
        """Walks everything reachable from the roots and records values before backward frees them.
        `partial`: the backward() runs only toward given inputs."""
        order, index_of, consumer = walk(roots)
        p = Pending(index, trigger, roots, call_site, order, index_of, consumer, [summarize(r) for r in roots])
        # Each freed node raises a C++ error that records a backtrace, dearer than the node:
        # backward frees every node it ran, so the first freed node ends the search.
        freed = False
        if live and records_flow(self.options.flow, len(order)):
            p.flow = FlowRecorder(order, index_of, p.grads, *_flow_roots(trigger, roots, index_of, partial))
            p.hooks = p.flow.hooks
        for i, n in enumerate(order):
            if is_accumulate(n):
                p.leaf_values[i] = summarize(n.variable)
                continue
            if not freed and (self.options.saved_tensors or not live):
                saved = saved_tensors(n)
                freed = saved is None
                p.saved[i] = [summarize(s) for s in saved or []]
            if live and p.flow is None and (len(order) <= graph.MAX_SUMMARIZED or _has_value(n)):
                p.hooks.append(self._hook_grad(n, i, p.grads))
        return p

    def _hook_grad(self, node: Node, i: int, grads: Dict[int, Summary]) -> Any:
        def record(grad_outputs: Sequence[Optional[torch.Tensor]]) -> None:
            g = next((x for x in grad_outputs if x is not None), None)
            if g is not None:
                try:
                    grads[i] = summarize(g)
                except Exception:
                    pass  # a summary problem must not fail the user's backward

        if self.has[features.NODE_PREHOOK]:
            return node.register_prehook(record)
        return node.register_hook(lambda grad_inputs, grad_outputs: record(grad_outputs))

    def complete(self, p: Pending, grad_inputs: Optional[List[torch.Tensor]], grad_result: Any, live: bool, frame: Optional[FrameType]) -> Json:
        """Gradients are in: build the snapshot, name its leaves, find NaN/Inf."""
        if p.flow is not None:
            p.flow.finish()
        variables, frame_modules = names_in_frames(frame) if frame is not None else ({}, [])
        params = self._parameter_names(frame_modules)
        returned: Dict[int, Summary] = {}
        if grad_inputs is not None and isinstance(grad_result, (tuple, list)):
            for t, g in zip(grad_inputs, grad_result):
                if isinstance(g, torch.Tensor):
                    returned[id(t)] = summarize(g)
        order = p.order
        names = [n.name() for n in order]
        metas: List[Optional[NodeMeta]] = [None if is_accumulate(n) else meta_of(n) for n in order]
        same = self.template is not None and names == self.template.names
        self.repeats_template = same and bool(metas) and metas[0] is not None and metas[0].location is not None
        template = self.template if same else None
        locations = [m.location if m is not None and m.location is not None else (template.locations[i] if template else None) for i, m in enumerate(metas)]
        modules = [m.modules if m is not None else (template.modules[i] if template else []) for i, m in enumerate(metas)]
        calls = [m.calls if m is not None else (template.calls[i] if template else []) for i, m in enumerate(metas)]
        call_site = p.call_site if p.call_site is not None else (template.call_site if template else None)
        sequence = self._sequence_numbers(order, p.index_of, metas, template)
        var_names = names_by_node(tensors_in_frames(frame), p.index_of) if frame is not None else {}

        nodes: List[Json] = []
        for i, n in enumerate(order):
            node_id = f"n{i}"
            via = p.consumer.get(n)
            via_index = p.index_of[via[0]] if via is not None else -1
            acc = is_accumulate(n)
            # A leaf's location and module are those of the op that consumed it.
            loc = (locations[via_index] if via_index >= 0 else None) if acc else locations[i]
            module_path = (modules[via_index] if via_index >= 0 else []) if acc else modules[i]
            meta = metas[i]
            node: Json = {
                "id": node_id,
                "kind": "accumulate" if acc else "function",
                "name": names[i],
                "next": [None if m is None else {"id": f"n{p.index_of[m]}", "inputNr": int(nr)} for m, nr in n.next_functions],
                "value": meta.value if meta is not None else None,
                "grad": p.grads.get(i),
                "location": loc,
                "modulePath": module_path,
                "attachedTo": None,
                "sequenceNr": -1 if acc else sequence[i],
            }
            if not acc and calls[i]:
                node["moduleCalls"] = calls[i]
            if i in var_names:
                node["varName"] = var_names[i]
            if p.flow is not None and i in p.flow.flows:
                node["flow"] = p.flow.flows[i]
            nodes.append(node)
            if acc:
                v = n.variable
                if live:
                    grad = returned.get(id(v)) if grad_inputs is not None else (summarize(v.grad) if v.grad is not None else None)
                else:
                    grad = self._kept_grad(v, p.index)
                name = params.get(id(v)) or variables.get(id(v)) or self.names.name_of(v) or ""
                nodes.append({
                    "id": f"{node_id}:leaf", "kind": "leaf", "name": name, "next": [],
                    "value": p.leaf_values.get(i) or summarize(v), "grad": grad, "location": loc,
                    "modulePath": module_path, "attachedTo": node_id, "sequenceNr": -1,
                })
            elif self.options.saved_tensors:
                for j, s in enumerate(p.saved.get(i, [])):
                    nodes.append({"id": f"{node_id}:saved{j}", "kind": "saved", "name": f"saved {j}", "next": [], "value": s, "grad": None, "location": None, "modulePath": module_path, "attachedTo": node_id, "sequenceNr": -1})
        out_name = output_name(call_site)
        outputs: List[str] = []
        for i, r in enumerate(p.roots):
            owner = root_node(r)
            owner_index = p.index_of.get(owner) if owner is not None else None
            outputs.append(f"out{i}")
            nodes.append({
                "id": f"out{i}", "kind": "output", "name": out_name if len(p.roots) == 1 else f"{out_name}[{i}]", "next": [],
                "value": p.root_values[i], "grad": p.grads.get(owner_index) if owner_index is not None else None,
                "location": call_site, "modulePath": [], "attachedTo": None if owner_index is None else f"n{owner_index}", "sequenceNr": -1,
            })
        if not self._told_compiled and any(is_compiled(n) for n in order):
            self._told_compiled = True
            self._notice("compiled", f"the graph of backward() #{p.index} has a region compiled by torch.compile: it shows as one node, its inside is not recorded")
        if any(m is not None and m.location is not None for m in metas):
            self.template = Template(names, locations, modules, calls, call_site, sequence)
        self.names.remember(nodes, order, params)
        anomalies = find_anomalies(nodes, {f"n{i}": s for i, s in sorted(p.saved.items())}, p.root_values)
        if has_precise(anomalies):
            self.has_precise_anomaly = True
        snapshot: Json = {
            "index": p.index, "trigger": p.trigger, "nodes": nodes, "outputs": outputs, "anomalies": anomalies,
            "collapsed": False, "detail": "full" if live and any(m is not None and m.value is not None for m in metas) else "light",
        }
        if p.flow is not None:
            snapshot["flowRecorded"] = True
        return snapshot

    def _parameter_names(self, frame_modules: List[torch.nn.Module]) -> Dict[int, str]:
        """Parameter names by tensor id: modules that ran a forward first, then modules in
        the user's frames, biggest first (a model's names win over one of its layers')."""
        modules = list(self.recorder.modules.roots.values())
        modules += sorted(frame_modules, key=lambda m: -sum(1 for _ in m.parameters()))
        params: Dict[int, str] = {}
        for m in modules:
            for name, t in m.named_parameters():
                params.setdefault(id(t), plain_path(name))
        return params

    def _sequence_numbers(self, order: List[Node], index_of: Dict[Node, int], metas: List[Optional[NodeMeta]], template: Optional[Template]) -> List[int]:
        if self.has[features.SEQUENCE_NR]:
            return [-1 if is_accumulate(n) else int(n._sequence_nr()) for n in order]
        if all(m is not None for n, m in zip(order, metas) if not is_accumulate(n)):
            return [-1 if m is None else m.order for m in metas]
        if template is not None:
            # The same graph as the template's, node for node: its creation order holds, and
            # keeps each module call a contiguous run, which a depth-first rank does not.
            return template.sequence
        return creation_ranks(order, index_of)


def _flow_roots(trigger: str, roots: List[torch.Tensor], index_of: Dict[Node, int], partial: bool) -> Tuple[List[int], str]:
    """The roots' node indices, and how the flow recorder learns what AccumulateGrad nodes
    received (FlowRecorder's `leaves`)."""
    nodes = [root_node(r) for r in roots]
    indices = [index_of[n] for n in nodes if n is not None]
    if trigger == "autograd.grad":
        return indices, "none"
    if partial or any(n is None or is_accumulate(n) for n in nodes):
        return indices, "hook"
    return indices, "derive"


def _has_value(node: Node) -> bool:
    meta = meta_of(node)
    return meta is not None and meta.value is not None
