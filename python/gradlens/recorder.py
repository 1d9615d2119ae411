"""What an armed full capture records as ops run: each new graph node's output summary,
the user's line that created it, and the module calls it ran in. Kept in the node's own
`metadata` dict, which lives as long as the node does."""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional

import torch

from . import graph
from .compiling import is_compiling
from .graph import ACCUMULATE, Node
from .modules import ModuleCalls
from .protocol import Json
from .summary import Summary, summarize
from .userframes import current_location

KEY = "gradlens"


@dataclass
class NodeMeta:
    location: Optional[Json]
    modules: List[str]
    calls: List[int]
    value: Optional[Summary]
    order: int


def meta_of(node: Node) -> Optional[NodeMeta]:
    return node.metadata.get(KEY)


def _tensors(value: Any) -> Iterable[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            if isinstance(v, torch.Tensor):
                yield v
    elif isinstance(value, dict):
        for v in value.values():
            if isinstance(v, torch.Tensor):
                yield v


class Recorder:
    def __init__(self) -> None:
        self.modules = ModuleCalls(self._module_output)
        self._order = itertools.count()
        self._mode: Any = None
        # Whether ops run through the function mode now (`_mode` is set): a plain attribute,
        # read at every optimizer step and zero_grad().
        self.recording = False
        self.busy = False
        self.armed = False
        # Nodes claimed since the last backward: past the walk cap the graph cannot be
        # captured, so ops are no longer recorded until the next backward (`full`). The mode
        # cannot leave from inside its own call: it leaves at the next module exit.
        self.claimed = 0
        self.full = False
        self.available = hasattr(torch.overrides, "TorchFunctionMode")

    def arm(self) -> None:
        if not self.armed:
            self.armed = True
            self.modules.install()
        self.resume()

    def disarm(self) -> None:
        if self.armed:
            self.armed = False
            self.modules.remove()
        if self._mode is not None:
            mode, self._mode = self._mode, None
            self.recording = False
            mode.__exit__(None, None, None)

    def pause(self) -> None:
        """Takes the function mode off while the capture does its own tensor work: every
        op through the mode costs more than a small op itself. A mode the script pushed
        since stays on top, and ours with it."""
        mode = self._mode
        if mode is not None and _current_mode() is mode:
            self._mode = None
            self.recording = False
            mode.__exit__(None, None, None)

    def resume(self) -> None:
        if self.armed and self._mode is None and self.available:
            self._mode = _mode_class()(self)
            self._mode.__enter__()
            self.recording = True

    def new_graph(self) -> None:
        """At each backward: counting starts again."""
        self.claimed = 0
        self.full = False

    def op_done(self, result: Any, args: Any, kwargs: Optional[Dict[str, Any]]) -> None:
        if self.full:
            return
        fresh = [t for t in _tensors(result) if t.grad_fn is not None and type(t.grad_fn) is not ACCUMULATE and KEY not in t.grad_fn.metadata]
        if fresh:
            self._claim(fresh, [args, kwargs or {}])

    def _module_output(self, module: torch.nn.Module, args: Any, output: Any) -> None:
        # With the function mode on, every op already claimed its node; this finds the ones
        # it cannot see (custom autograd Functions, or no mode at all on this torch).
        if self.full:
            self.pause()
            return
        if self.busy:
            return
        fresh = [t for t in _tensors(output) if t.grad_fn is not None and type(t.grad_fn) is not ACCUMULATE and KEY not in t.grad_fn.metadata]
        if fresh:
            self._claim(fresh, [args])

    def _claim(self, outputs: List[torch.Tensor], inputs: List[Any]) -> None:
        self.busy = True
        try:
            boundary = {id(t.grad_fn): t.grad_fn for group in inputs for t in _tensors_deep(group) if t.grad_fn is not None}
            location = current_location()
            modules, calls = self.modules.current()
            for t in outputs:
                node = t.grad_fn
                if KEY in node.metadata:
                    continue  # two outputs of one op share its node
                # Nodes an op made internally (linear's transpose) sit between its output's
                # node and its inputs' nodes: they belong to the same line and module call.
                inners = _unclaimed_behind(node, boundary)
                for inner in reversed(inners):
                    inner.metadata[KEY] = NodeMeta(location, modules, calls, None, next(self._order))
                value = summarize(t) if self.claimed < graph.MAX_SUMMARIZED else None
                node.metadata[KEY] = NodeMeta(location, modules, calls, value, next(self._order))
                self.claimed += 1 + len(inners)
            self.full = self.claimed > graph.MAX_WALK
        finally:
            self.busy = False


def _tensors_deep(value: Any) -> Iterable[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _tensors_deep(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _tensors_deep(v)


def _unclaimed_behind(node: Node, boundary: Dict[int, Node]) -> List[Node]:
    found: List[Node] = []
    seen = {id(node)}
    stack = [node]
    while stack:
        n = stack.pop()
        for m, _ in n.next_functions:
            if m is None or id(m) in seen or id(m) in boundary or type(m) is ACCUMULATE or KEY in m.metadata:
                continue
            seen.add(id(m))
            found.append(m)
            stack.append(m)
    return found


def _current_mode() -> Any:
    current = getattr(torch.overrides, "_get_current_function_mode", None)
    return current() if current is not None else None


@functools.lru_cache(maxsize=None)
def _mode_class() -> type:
    """Made once (the mode is pushed anew at every resume), and only on a torch that has
    function modes."""

    class RecordingMode(torch.overrides.TorchFunctionMode):
        def __init__(self, recorder: Recorder) -> None:
            super().__init__()
            self.recorder = recorder

        def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
            result = func(*args, **(kwargs or {}))
            recorder = self.recorder
            if not recorder.busy and not is_compiling():
                recorder.op_done(result, args, kwargs)
            return result

    return RecordingMode
