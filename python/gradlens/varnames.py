"""Names of intermediate tensors, as agtree2dot's labels dict gives them: a non-leaf tensor
that a variable of the user's frames holds when the graph is captured names the node that
produced it (its grad_fn). A variable holds one tensor at a time, so a name reassigned in a
loop or shadowed by a later assignment names only the tensor it holds now."""
from __future__ import annotations

import re
from types import FrameType
from typing import Any, Dict, Iterable, Optional, Tuple

import torch

from .userframes import outward

Node = Any  # torch.autograd.graph.Node on 2.x; C++-backed function objects on 1.13

# IPython's output history (`_`, `__`, `_7`) holds results, not the user's variables.
_HISTORY = re.compile(r"_+\d*")


def tensors_in_frames(frame: Optional[FrameType]) -> Iterable[Tuple[str, torch.Tensor]]:
    """(name, tensor) for the tensors with history in `frame` and the frames around it:
    locals before globals, inner frames before outer ones."""
    for f in outward(frame):
        for scope in (f.f_locals, f.f_globals):
            for name, value in list(scope.items()):
                if isinstance(value, torch.Tensor) and value.grad_fn is not None and not name.startswith("__"):
                    yield name, value


def names_by_node(named: Iterable[Tuple[str, torch.Tensor]], nodes: Dict[Node, int]) -> Dict[int, str]:
    """The variable name of each node of `nodes` (node -> index) that produced a named tensor,
    by index; the first name found wins, as for leaves."""
    out: Dict[int, str] = {}
    for name, t in named:
        if _HISTORY.fullmatch(name):
            continue
        i = nodes.get(t.grad_fn)
        if i is not None and i not in out:
            out[i] = name
    return out
