"""The tensors in scope of a paused frame, for "Gradlens: Debug Script" on a .py file.

The extension calls this through the debug adapter's `evaluate` while the program is paused
(see src/extension/debug/python-config.ts), and gets one JSON string: the Inspection of
src/runner/debug/protocol.ts, whose `graph` is a GraphSnapshot. Reading must not change the
program: no op on a user tensor (summaries work on detached copies), no hooks, no grad mode
change, no node metadata, no AccumulateGrad made for a leaf, and no `repr()` of user objects.
Imports only torch and the summary code (graph.py runs an op when it is imported).
"""
from __future__ import annotations

import json
import weakref
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

import torch

from .modules import plain_path
from .summary import Summary, summarize

INSPECT_VERSION = 1
# The limits of the TypeScript inspector (src/runner/debug/inspect.ts).
MAX_TENSORS = 64
MAX_NODES = 400
MAX_SEQUENCE_ITEMS = 16

Json = Dict[str, Any]
Node = Any
_UNBOUND = object()

# Tensor ids stay the same from one stop to the next, so the host can tell what changed.
# Weak references: the table keeps no tensor alive. Nodes cannot be weakly referenced on
# torch 1.13, so their ids are their addresses, which hold while they live.
_ids: Dict[int, Tuple["weakref.ref[torch.Tensor]", str]] = {}
_counter = [0]
_stops = [0]


def _tensor_id(t: torch.Tensor) -> str:
    key = id(t)
    known = _ids.get(key)
    if known is not None and known[0]() is t:
        return known[1]
    _counter[0] += 1
    label = f"t{_counter[0]}"
    _ids[key] = (weakref.ref(t, lambda _: _ids.pop(key, None)), label)
    return label


def _node_id(n: Node) -> str:
    return f"n{id(n):x}"


def _is_accumulate(n: Node) -> bool:
    return type(n).__name__ == "AccumulateGrad"


def _grad(t: torch.Tensor) -> Optional[Summary]:
    # Reading .grad of a non-leaf that does not retain it only warns.
    if not (t.is_leaf or getattr(t, "retains_grad", False)) or t.grad is None:
        return None
    return summarize(t.grad)


def _collect(frame_locals: Mapping[str, Any], frame_globals: Mapping[str, Any]) -> Tuple[List[Tuple[torch.Tensor, str]], List[Tuple[str, torch.nn.Module]], bool]:
    """Tensors found under the frame's names (locals first), modules' parameters, and the
    first items of lists and tuples; whether a limit cut the list short."""
    tensors: List[Tuple[torch.Tensor, str]] = []
    modules: List[Tuple[str, torch.nn.Module]] = []
    seen: Set[int] = set()
    truncated = False

    def add(t: torch.Tensor, name: str) -> None:
        nonlocal truncated
        if id(t) in seen:
            return
        if len(tensors) >= MAX_TENSORS:
            truncated = True
            return
        seen.add(id(t))
        tensors.append((t, name))

    # The debug adapter evaluates with the module's globals merged into the locals: the
    # frame's own names are those not bound to the same object in its globals.
    names: Dict[str, Any] = {}
    for name, value in list(frame_locals.items()):
        if frame_globals.get(name, _UNBOUND) is not value:
            names[name] = value
    for name, value in list(frame_globals.items()):
        names.setdefault(name, value)
    names = {k: v for k, v in names.items() if not k.startswith("__")}
    for name, value in names.items():
        if isinstance(value, torch.Tensor):
            add(value, name)
        elif isinstance(value, torch.nn.Module):
            modules.append((name, value))
            for p, t in value.named_parameters():
                add(t, f"{name}.{plain_path(p)}")
        elif type(value) in (list, tuple):
            for i, item in enumerate(value[:MAX_SEQUENCE_ITEMS]):
                if isinstance(item, torch.Tensor):
                    add(item, f"{name}[{i}]")
    return tensors, modules, truncated


def _tensor(t: torch.Tensor, name: str, node_id: Optional[str]) -> Json:
    return {
        "name": name,
        "id": _tensor_id(t),
        "value": summarize(t),
        "grad": _grad(t),
        "gradFn": None if t.grad_fn is None else t.grad_fn.name(),
        "isLeaf": bool(t.is_leaf),
        "requiresGrad": bool(t.requires_grad),
        "retainsGrad": bool(getattr(t, "retains_grad", False)),
        "version": int(t._version),
        "nodeId": node_id,
    }


def _sequence_nr(n: Node) -> int:
    read = getattr(n, "_sequence_nr", None)
    return int(read()) if read is not None else -1


def _graph(tensors: List[Tuple[torch.Tensor, str]], leaf_names: Dict[int, str]) -> Tuple[Optional[Json], Dict[str, str], bool]:
    """Everything reachable backwards from the tensors, as the TypeScript inspector builds it:
    function nodes, one AccumulateGrad and leaf node per leaf (keyed by the leaf, so a leaf not
    yet used by any op has the same ids as once it is), and an output node per tensor with
    history, named after its variable."""
    order: List[Node] = []
    ids: Dict[Node, str] = {}
    leaves: Dict[str, torch.Tensor] = {}
    truncated = False

    def acc_id(leaf: torch.Tensor) -> str:
        return f"acc{_tensor_id(leaf)}"

    def visit(n: Optional[Node]) -> None:
        nonlocal truncated
        if n is None or n in ids:
            return
        if len(order) >= MAX_NODES:
            truncated = True
            return
        ids[n] = acc_id(n.variable) if _is_accumulate(n) else _node_id(n)
        order.append(n)

    for t, _ in tensors:
        if t.grad_fn is not None:
            visit(t.grad_fn)
        elif t.requires_grad:
            leaves[acc_id(t)] = t
    i = 0
    while i < len(order):
        for m, _ in order[i].next_functions:
            visit(m)
        i += 1
    for n in order:
        if _is_accumulate(n):
            leaves[ids[n]] = n.variable
    tensor_node: Dict[str, str] = {}
    if not order and not leaves:
        return None, tensor_node, truncated

    nodes: List[Json] = []
    for n in order:
        if _is_accumulate(n):
            continue
        nodes.append(_node(ids[n], "function", n.name(), [None if m is None or m not in ids else {"id": ids[m], "inputNr": int(nr)} for m, nr in n.next_functions], _sequence_nr(n)))
    for node_id, leaf in leaves.items():
        nodes.append(_node(node_id, "accumulate", "torch::autograd::AccumulateGrad", [], -1))
        nodes.append({**_node(f"{node_id}:leaf", "leaf", leaf_names.get(id(leaf), ""), [], -1), "value": summarize(leaf), "grad": _grad(leaf), "attachedTo": node_id})
    outputs: List[str] = []
    for t, name in tensors:
        if t.grad_fn is None:
            if t.requires_grad:
                tensor_node[name] = f"{acc_id(t)}:leaf"
            continue
        owner = ids.get(t.grad_fn)
        if owner is None:
            continue  # cut off by the node limit
        node_id = f"var:{name}"
        outputs.append(node_id)
        tensor_node[name] = node_id
        nodes.append({**_node(node_id, "output", name, [], -1), "value": summarize(t), "grad": _grad(t), "attachedTo": owner})
    snapshot: Json = {"index": _stops[0], "trigger": "backward", "nodes": nodes, "outputs": outputs, "anomalies": [], "collapsed": False, "detail": "light"}
    return snapshot, tensor_node, truncated


def _node(node_id: str, kind: str, name: str, next_: List[Optional[Json]], sequence_nr: int) -> Json:
    return {"id": node_id, "kind": kind, "name": name, "next": next_, "value": None, "grad": None, "location": None, "modulePath": [], "attachedTo": None, "sequenceNr": sequence_nr}


def inspect_scope(frame_locals: Mapping[str, Any], frame_globals: Mapping[str, Any]) -> Json:
    """The Inspection of a paused frame's names (its locals, then its module's globals)."""
    _stops[0] += 1
    tensors, modules, truncated = _collect(frame_locals, frame_globals)
    leaf_names: Dict[int, str] = {}
    for name, m in modules:
        for p, t in m.named_parameters():
            leaf_names.setdefault(id(t), f"{name}.{plain_path(p)}")
    for t, name in tensors:
        if t.is_leaf:
            leaf_names.setdefault(id(t), name)
    graph, tensor_node, cut = _graph(tensors, leaf_names)
    return {
        "version": INSPECT_VERSION,
        "tensors": [_tensor(t, name, tensor_node.get(name)) for t, name in tensors],
        "graph": graph,
        "truncated": truncated or cut,
    }


def scope_json(frame_locals: Mapping[str, Any], frame_globals: Mapping[str, Any]) -> str:
    """`inspect_scope` as JSON text: what the debug adapter hands back whole."""
    return json.dumps(inspect_scope(frame_locals, frame_globals), allow_nan=False, separators=(",", ":"))
