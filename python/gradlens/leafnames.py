"""Names given to leaf tensors by full captures (`a`, `hidden1.weight`), kept by weak
reference so steady training steps can name their gradient norms without a capture."""
from __future__ import annotations

import math
import weakref
from typing import Any, Dict, List, Optional, Tuple

import torch

from .graph import Node
from .protocol import Json

Named = List[Tuple[str, torch.Tensor]]


class LeafNames:
    def __init__(self) -> None:
        self._names: Dict[int, Tuple[Any, str]] = {}
        # Column order in the training record: parameters in the model's order first.
        self._rank: Dict[str, int] = {}
        self._named: Optional[Tuple[List[torch.Tensor], Named]] = None

    def name_of(self, t: torch.Tensor) -> Optional[str]:
        entry = self._names.get(id(t))
        return entry[1] if entry is not None and entry[0]() is t else None

    def named(self, leaves: List[torch.Tensor]) -> Named:
        """The leaves that have names, in parameter order; reused while a training loop
        passes the same leaves and no capture renames them."""
        last = self._named
        # Between structure walks the very same list comes back: no need to compare it.
        if last is not None and last[0] is leaves:
            return last[1]
        if last is not None and len(last[0]) == len(leaves) and all(a is b for a, b in zip(last[0], leaves)):
            self._named = (leaves, last[1])
            return last[1]
        named = [(name, t) for t in leaves if (name := self.name_of(t)) is not None]
        named.sort(key=lambda x: self._rank.get(x[0], math.inf))
        self._named = (leaves, named)
        return named

    def remember(self, nodes: List[Json], order: List[Node], params: Dict[int, str]) -> None:
        """The names a snapshot gave its leaf nodes (`order`: its walk order of graph nodes)."""
        seen = set()
        tracked: Named = []
        for node in nodes:
            if node["kind"] != "leaf" or not node["name"] or node["name"] in seen:
                continue
            seen.add(node["name"])
            tracked.append((node["name"], order[int(node["attachedTo"][1:])].variable))
        # Parameters in the model's own order (fc1.weight, fc1.bias, ...), other leaves after.
        rank = {name: i for i, name in enumerate(params.values())}
        tracked.sort(key=lambda x: rank.get(x[0], len(rank)))
        for name, t in tracked:
            self._names[id(t)] = (weakref.ref(t), name)
            self._rank.setdefault(name, len(self._rank))
        self._named = None  # names may have changed: sort the named leaves again
