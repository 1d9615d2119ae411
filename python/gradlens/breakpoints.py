"""Capture points: the user's breakpoints, recorded without pausing. Each time a breakpoint's
line is about to run, the tensors in scope there (the frame's locals; at module level, the
module's globals) are sent as a graph snapshot tagged with the stop: its graph reaches back
from the tensors that have a grad_fn, and every tensor in scope is a node with its value."""
from __future__ import annotations

from types import FrameType
from typing import Any, Dict, List, Optional, Tuple

import torch

from .conditions import Condition, NotSimple
from .graph import GraphTooLarge, MAX_WALK, Node, creation_ranks, is_accumulate, walk
from .linehooks import LineHooks, Point
from .modules import plain_path
from .protocol import Json, RunOptions
from .recorder import meta_of
from .summary import summarize
from .userframes import names_in_frames

# Tensors taken from one scope; the rest are left out (a loop's list of batches is not the point).
MAX_SCOPE_TENSORS = 64


class CapturePoints:
    """Watches the run's capture points and sends a snapshot per hit, up to `max_hits` per line."""

    def __init__(self, options: RunOptions, capture: Any) -> None:
        self.capture = capture
        self.max_hits = options.max_hits
        self.notes: Dict[int, str] = {}
        points: List[Point] = []
        for option in options.capture_points:
            condition: Optional[Condition] = None
            if option.condition is not None and option.condition.strip():
                try:
                    condition = Condition(option.condition)
                except NotSimple as e:
                    self.notes[len(points)] = f"condition `{option.condition}` is treated as a plain breakpoint: {e}"
            points.append(Point(option.file, option.line, condition))
        self.hooks = LineHooks(points, self._on_hit)
        self.recorded = 0

    def install(self) -> None:
        self.hooks.install()

    def remove(self) -> None:
        self.hooks.remove()

    def report(self) -> List[Json]:
        """Per capture point: how often it was reached, and what the user should know of it."""
        out = []
        for i, p in enumerate(self.hooks.points):
            note = self.notes.get(i)
            if note is None and p.condition is not None and p.condition.problem is not None:
                note = f"condition `{p.condition.text}` could not be evaluated safely ({p.condition.problem}): treated as a plain breakpoint"
            out.append({"file": p.file, "line": p.line, "reached": p.reached, "note": note})
        return out

    def _on_hit(self, frame: FrameType, point: Point) -> None:
        if point.reached > self.max_hits:
            return
        recorder = self.capture.recorder
        busy = recorder.busy
        recorder.busy = True
        recorder.pause()  # the summaries' own tensor ops are not the script's
        try:
            snapshot = stop_snapshot(frame, point, self.capture.count, self.capture.names.name_of)
        except GraphTooLarge:
            self.capture.sink.notice("graph-too-large", f"the graph in scope at {point.file}:{point.line} has more than {MAX_WALK:,} nodes and was not captured")
            return
        except Exception as e:  # a capture bug must not break the user's script
            self.capture.sink.error("crash", f"capture at {point.file}:{point.line} failed: {type(e).__name__}: {e}")
            return
        finally:
            recorder.busy = busy
            recorder.resume()
        self.recorded += 1
        self.capture.sink.snapshot(snapshot)


def in_scope(frame: FrameType) -> Tuple[List[Tuple[str, torch.Tensor]], List[torch.nn.Module]]:
    """The tensors (by variable name) and modules in the frame's scope."""
    tensors: List[Tuple[str, torch.Tensor]] = []
    modules: List[torch.nn.Module] = []
    for name, value in list(frame.f_locals.items()):
        if name.startswith("__"):
            continue
        if isinstance(value, torch.Tensor):
            if len(tensors) < MAX_SCOPE_TENSORS:
                tensors.append((name, value))
        elif isinstance(value, torch.nn.Module):
            modules.append(value)
    return tensors, modules


def stop_snapshot(frame: FrameType, point: Point, backward_count: int, remembered: Any = lambda t: None) -> Json:
    """The snapshot of the tensors in scope at a capture point's hit (`remembered`: names
    earlier captures gave leaves that are not in this scope)."""
    tensors, modules = in_scope(frame)
    names: Dict[int, str] = {}
    for m in sorted(modules, key=lambda m: -sum(1 for _ in m.parameters())):
        for name, t in m.named_parameters():
            names.setdefault(id(t), plain_path(name))
    for name, t in tensors:
        names[id(t)] = name  # the name in scope wins over a parameter's
    outer, _ = names_in_frames(frame.f_back)  # names of leaves made by the callers
    roots = [t for _, t in tensors if t.grad_fn is not None]
    order, index_of, consumer = walk(roots)
    nodes = _graph_nodes(order, index_of, consumer, lambda t: names.get(id(t)) or outer.get(id(t)) or remembered(t) or "")
    node_of_leaf = {id(n.variable): f"n{i}:leaf" for i, n in enumerate(order) if is_accumulate(n)}
    outputs: List[str] = []
    scope: List[Json] = []
    for j, (name, t) in enumerate(tensors):
        node_id = node_of_leaf.get(id(t))
        if node_id is None and t.grad_fn is None and t.requires_grad:
            # A leaf no op in scope used yet: its AccumulateGrad stands alone.
            node_id = f"s{j}:leaf"
            nodes.append(_node(f"s{j}", "accumulate", "torch::autograd::AccumulateGrad"))
            nodes.append(_node(node_id, "leaf", name, value=summarize(t), grad=_grad(t), attached=f"s{j}"))
            node_of_leaf[id(t)] = node_id
        elif node_id is None:
            node_id = f"var:{name}"
            owner = f"n{index_of[t.grad_fn]}" if t.grad_fn is not None else None
            nodes.append(_node(node_id, "output", name, value=summarize(t), grad=_grad(t), attached=owner))
            if owner is not None:
                outputs.append(node_id)
        scope.append({"name": name, "node": node_id})
    detail = "full" if any(n["kind"] == "function" and n["value"] is not None for n in nodes) else "light"
    return {
        "index": backward_count, "trigger": "backward", "nodes": nodes, "outputs": outputs, "anomalies": [],
        "collapsed": False, "detail": detail, "stop": {"file": point.file, "line": point.line, "hit": point.reached, "scope": scope},
    }


def _graph_nodes(order: List[Node], index_of: Dict[Node, int], consumer: Dict[Node, Tuple[Node, int]], leaf_name: Any) -> List[Json]:
    sequence = [int(n._sequence_nr()) for n in order] if order and hasattr(order[0], "_sequence_nr") else creation_ranks(order, index_of)
    metas = [None if is_accumulate(n) else meta_of(n) for n in order]
    nodes: List[Json] = []
    for i, n in enumerate(order):
        node_id = f"n{i}"
        if is_accumulate(n):
            via = consumer.get(n)
            meta = metas[index_of[via[0]]] if via is not None else None
            location = meta.location if meta is not None else None
            modules = meta.modules if meta is not None else []
            nodes.append(_node(node_id, "accumulate", n.name(), location=location, modules=modules))
            v = n.variable
            nodes.append(_node(f"{node_id}:leaf", "leaf", leaf_name(v), value=summarize(v), grad=_grad(v), attached=node_id, location=location, modules=modules))
            continue
        meta = metas[i]
        node = _node(node_id, "function", n.name(), value=meta.value if meta is not None else None,
                     location=meta.location if meta is not None else None, modules=meta.modules if meta is not None else [])
        node["next"] = [None if m is None else {"id": f"n{index_of[m]}", "inputNr": int(nr)} for m, nr in n.next_functions]
        node["sequenceNr"] = sequence[i]
        if meta is not None and meta.calls:
            node["moduleCalls"] = meta.calls
        nodes.append(node)
    return nodes


def _node(node_id: str, kind: str, name: str, value: Any = None, grad: Any = None, attached: Optional[str] = None,
          location: Optional[Json] = None, modules: Optional[List[str]] = None) -> Json:
    return {
        "id": node_id, "kind": kind, "name": name, "next": [], "value": value, "grad": grad, "location": location,
        "modulePath": modules or [], "attachedTo": attached, "sequenceNr": -1,
    }


def _grad(t: torch.Tensor) -> Any:
    # Reading .grad of a non-leaf that does not retain it only warns.
    if not (t.is_leaf or t.retains_grad) or t.grad is None:
        return None
    return summarize(t.grad)
