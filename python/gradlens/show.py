"""``gradlens.show(tensor_or_fn)``: the autograd graph behind a tensor as a notebook output.

The output carries the graph JSON of the protocol (src/protocol/messages.ts) under
``application/vnd.gradlens.graph+json``, which the Gradlens VS Code extension draws, and a
self-contained ``text/html`` page (the standalone graph page, gradlens/assets/graph.js, with
the graph inlined) for JupyterLab, Colab and browsers.
"""
from __future__ import annotations

import base64
import gzip
import html
import json
import os
import re
import sys
from dataclasses import dataclass
from types import FrameType, ModuleType
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import torch

from . import features
from .anomalies import find_anomalies
from .graph import GraphTooLarge, Node, creation_ranks, is_accumulate, root_node, walk
from .protocol import Json
from .recorder import NodeMeta, Recorder, meta_of
from .summary import summarize
from .userframes import names_in_frames
from .varnames import names_by_node

MIME = "application/vnd.gradlens.graph+json"
# The renderer lays out graphs up to this many nodes (webview/standalone/payload.ts).
MAX_NODES = 100_000
# Bigger graphs keep of each tensor summary what the page shows (as src/graph/slim.ts), and
# of the values recorded while a function ran only those of leaves, outputs and the caller's
# variables (a "light" snapshot), so that a 10,000-node output stays a few MB.
EXACT_MAX_NODES = 2_000
SHOWN_ELEMENTS = 4
ASSET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "assets", "graph.js")
FRAME_HEIGHT = 520

Target = Union[torch.Tensor, Sequence[torch.Tensor], Callable[[], Any]]


class GraphOutput:
    """A graph ready to display: Jupyter calls ``_repr_mimebundle_``; ``save`` writes the page."""

    def __init__(self, snapshot: Json, title: str) -> None:
        self.snapshot = snapshot
        self.title = title

    def to_json(self) -> str:
        return json.dumps(self.snapshot, allow_nan=False, separators=(",", ":"))

    def to_html(self) -> str:
        """The standalone page: opens in any browser, offline."""
        return page_document(self.to_json(), self.title)

    def save(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_html())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Dict[str, Any]:
        return {MIME: self.snapshot, "text/html": self._frame(), "text/plain": repr(self)}

    def _frame(self) -> str:
        # A frame of its own, as the VS Code renderer uses: the page's ids, styles and
        # scripts cannot meet the notebook's or another output's.
        return (
            f'<iframe srcdoc="{html.escape(self.to_html(), quote=True)}" sandbox="allow-scripts allow-downloads" '
            f'style="width:100%;height:{FRAME_HEIGHT}px;border:1px solid #ccc" '
            f'title="{html.escape(self.title, quote=True)}"></iframe>'
        )

    def __repr__(self) -> str:
        functions = sum(1 for n in self.snapshot["nodes"] if n["kind"] == "function")
        return f"<gradlens graph: {self.title}, {functions} function nodes>"


def show(tensor_or_fn: Target, names: Optional[Mapping[str, torch.Tensor]] = None) -> Optional[GraphOutput]:
    """Displays the autograd graph behind a tensor (or the tensors a function returns, run
    with its ops recorded: values, source lines, module groups). Leaves are named from the
    caller's variables and ``names`` (``dict(model.named_parameters())``, as torchviz's
    ``params``). In IPython the graph is displayed; elsewhere it is returned."""
    return _show(tensor_or_fn, names, sys._getframe(1))


def _show(tensor_or_fn: Target, names: Optional[Mapping[str, torch.Tensor]], frame: FrameType) -> Optional[GraphOutput]:
    output = graph_output(tensor_or_fn, names, frame)
    if _ipython() is None:
        return output
    from IPython.display import display  # type: ignore[import-not-found]

    display(output)
    return None


def graph_output(tensor_or_fn: Target, names: Optional[Mapping[str, torch.Tensor]] = None, frame: Optional[FrameType] = None) -> GraphOutput:
    """What ``show`` displays, without displaying it."""
    frame = frame if frame is not None else sys._getframe(1)
    recorder: Optional[Recorder] = None
    if callable(tensor_or_fn) and not isinstance(tensor_or_fn, torch.Tensor):
        recorder = Recorder()
        recorder.arm()
        try:
            result = tensor_or_fn()
        finally:
            recorder.disarm()
    else:
        result = tensor_or_fn
    roots = _tensors(result)
    if not roots:
        raise ValueError("gradlens.show needs a tensor with a grad_fn or requires_grad=True (or a function returning one)")
    scope = _scope(frame, recorder, names)
    snapshot = build_snapshot(roots, scope)
    outputs = [n["name"] for n in snapshot["nodes"] if n["kind"] == "output"]
    return GraphOutput(snapshot, f"autograd graph of {', '.join(outputs)}")


@dataclass
class Scope:
    """What the caller's code calls things (names by tensor id), and its tensors with history,
    whose values (and gradients, when they retain them) their nodes show."""

    names: Dict[int, str]
    tensors: List[torch.Tensor]


def _scope(frame: Optional[FrameType], recorder: Optional[Recorder], given: Optional[Mapping[str, torch.Tensor]]) -> Scope:
    variables, modules = names_in_frames(frame)
    names: Dict[int, str] = {}
    if recorder is not None:
        modules = list(recorder.modules.roots.values()) + modules
    # A model's parameter names win over one of its layers' (biggest module first).
    for m in sorted(modules, key=lambda m: -sum(1 for _ in m.parameters())):
        for name, t in m.named_parameters():
            names.setdefault(id(t), name)
    for tid, name in variables.items():
        names.setdefault(tid, name)
    for name, t in (given or {}).items():
        names[id(t)] = name
    tensors: List[torch.Tensor] = []
    if frame is not None:
        for space in (frame.f_locals, frame.f_globals):
            tensors.extend(v for v in list(space.values()) if isinstance(v, torch.Tensor) and v.grad_fn is not None)
    return Scope(names, tensors)


def build_snapshot(roots: Sequence[torch.Tensor], scope: Scope) -> Json:
    try:
        order, index_of, consumer = walk(roots, limit=MAX_NODES)
    except GraphTooLarge:
        raise ValueError(f"the graph has more than {MAX_NODES:,} nodes; gradlens.show draws graphs up to that size") from None
    metas: List[Optional[NodeMeta]] = [None if is_accumulate(n) else meta_of(n) for n in order]
    values, grads = _named_intermediates(scope.tensors, index_of)
    var_names = names_by_node(((scope.names[id(t)], t) for t in scope.tensors if id(t) in scope.names), index_of)
    big = len(order) > EXACT_MAX_NODES
    sequence = _sequence_numbers(order, index_of, metas)
    nodes: List[Json] = []
    for i, n in enumerate(order):
        acc = is_accumulate(n)
        via = consumer.get(n)
        # A leaf's line and module are those of the op that consumed it.
        meta = (metas[index_of[via[0]]] if via is not None else None) if acc else metas[i]
        location = meta.location if meta is not None else None
        module_path = list(meta.modules) if meta is not None else []
        own = metas[i]
        node: Json = {
            "id": f"n{i}", "kind": "accumulate" if acc else "function", "name": n.name(),
            "next": [None if m is None else {"id": f"n{index_of[m]}", "inputNr": int(nr)} for m, nr in n.next_functions],
            "value": own.value if own is not None and own.value is not None and not big else values.get(i), "grad": grads.get(i),
            "location": location, "modulePath": module_path, "attachedTo": None, "sequenceNr": -1 if acc else sequence[i],
        }
        if own is not None and own.calls:
            node["moduleCalls"] = list(own.calls)
        if i in var_names:
            node["varName"] = var_names[i]
        nodes.append(node)
        if acc:
            v = n.variable
            nodes.append({
                "id": f"n{i}:leaf", "kind": "leaf", "name": scope.names.get(id(v), ""), "next": [],
                "value": summarize(v), "grad": summarize(v.grad) if v.grad is not None else None,
                "location": location, "modulePath": module_path, "attachedTo": f"n{i}", "sequenceNr": -1,
            })
    outputs: List[str] = []
    root_values = [summarize(r) for r in roots]
    for k, r in enumerate(roots):
        owner = root_node(r)
        j = index_of.get(owner) if owner is not None else None
        name = scope.names.get(id(r)) or ("output" if len(roots) == 1 else f"output[{k}]")
        outputs.append(f"out{k}")
        nodes.append({
            "id": f"out{k}", "kind": "output", "name": name, "next": [], "value": root_values[k],
            "grad": grads.get(j) if j is not None else None, "location": None, "modulePath": [],
            "attachedTo": None if j is None else f"n{j}", "sequenceNr": -1,
        })
    if big:
        for n in nodes:
            n["value"], n["grad"] = _slim(n["value"]), _slim(n["grad"])
    return {
        "index": 1, "trigger": "backward", "nodes": nodes, "outputs": outputs,
        "anomalies": find_anomalies(nodes, {}, root_values), "collapsed": False,
        "detail": "full" if any(n["value"] is not None for n in nodes if n["kind"] == "function") else "light",
    }


def _named_intermediates(tensors: List[torch.Tensor], index_of: Dict[Node, int]) -> Tuple[Dict[int, Json], Dict[int, Json]]:
    """Values of the caller's tensors by the index of their grad_fn, and gradients of those
    that retain theirs (``Q.retain_grad()``)."""
    values: Dict[int, Json] = {}
    grads: Dict[int, Json] = {}
    for t in tensors:
        i = index_of.get(t.grad_fn)
        if i is None or i in values:
            continue
        values[i] = summarize(t)
        if getattr(t, "retains_grad", False) and t.grad is not None:
            grads[i] = summarize(t.grad)
    return values, grads


def _slim(summary: Optional[Json]) -> Optional[Json]:
    if summary is None:
        return None
    out = dict(summary)
    out["first"] = [_round(v) for v in summary["first"]] if summary["numel"] <= SHOWN_ELEMENTS else []
    for k in ("min", "max", "mean"):
        out[k] = _round(summary[k])
    return out


def _round(v: Any) -> Any:
    return float(f"{v:.7g}") if isinstance(v, float) else v


def _sequence_numbers(order: List[Node], index_of: Dict[Node, int], metas: List[Optional[NodeMeta]]) -> List[int]:
    if features.available(torch)[features.SEQUENCE_NR]:
        return [-1 if is_accumulate(n) else int(n._sequence_nr()) for n in order]
    if all(m is not None for n, m in zip(order, metas) if not is_accumulate(n)):
        return [-1 if m is None else m.order for m in metas]
    return creation_ranks(order, index_of)


def _tensors(result: Any) -> List[torch.Tensor]:
    if isinstance(result, torch.Tensor):
        candidates = [result]
    elif isinstance(result, dict):
        candidates = [v for v in result.values() if isinstance(v, torch.Tensor)]
    elif isinstance(result, (tuple, list)):
        candidates = [v for v in result if isinstance(v, torch.Tensor)]
    else:
        candidates = []
    return [t for t in candidates if t.requires_grad]


def page_document(snapshot_json: str, title: str) -> str:
    """The page of webview/standalone/document.ts, with the snapshot gzipped (a tenth of its size)."""
    payload = base64.b64encode(gzip.compress(snapshot_json.encode("utf-8"), mtime=0)).decode("ascii")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>\n<body>\n"
        f'<script type="application/json" id="gl-snapshot" data-encoding="gzip-base64">{payload}</script>\n'
        f"<script>{_page_script()}</script>\n</body></html>\n"
    )


_script: Optional[str] = None


def _page_script() -> str:
    global _script
    if _script is None:
        try:
            with open(ASSET, encoding="utf-8") as f:
                source = f.read()
        except OSError:
            message = f"Gradlens: {ASSET} is missing; run `npm run build` in the Gradlens repository to make it."
            source = f"document.body.textContent={json.dumps(message)};"
        _script = re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)
    return _script


def _ipython() -> Any:
    """The running IPython shell, if any (IPython is not imported for this)."""
    module = sys.modules.get("IPython")
    get = getattr(module, "get_ipython", None)
    return get() if callable(get) else None


class _CallableModule(ModuleType):
    """``gradlens.show`` is this module, and calling it calls ``show``: the attribute a
    package gets for its submodule ``show`` would otherwise hide the function of that name."""

    def __call__(self, tensor_or_fn: Target, names: Optional[Mapping[str, torch.Tensor]] = None) -> Optional[GraphOutput]:
        return _show(tensor_or_fn, names, sys._getframe(1))


sys.modules[__name__].__class__ = _CallableModule
