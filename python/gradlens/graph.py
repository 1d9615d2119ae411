"""Walks of an autograd graph from the tensors backward() starts at."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch

Node = Any  # torch.autograd.graph.Node on 2.x; C++-backed function objects on 1.13

# Snapshots beyond this are not built: their JSON alone would take seconds and gigabytes.
MAX_WALK = 200_000
# A full capture summarizes the values and gradients of this many nodes: the first ops of a
# forward (and their nodes' gradients). Beyond it a big graph's nodes keep their names,
# source lines and modules only: a summary per node would cost a good part of its training
# step, and a graph that big opens collapsed by module.
MAX_SUMMARIZED = 5_000


class GraphTooLarge(Exception):
    pass


def _accumulate_type() -> type:
    leaf = torch.zeros((), requires_grad=True)
    return type((leaf * 1).grad_fn.next_functions[0][0])


ACCUMULATE = _accumulate_type()


def is_accumulate(node: Node) -> bool:
    return type(node) is ACCUMULATE


# torch.compile's backward for a whole compiled region (torch 2.x, AOTAutograd).
COMPILED_NODE = "CompiledFunctionBackward"


def is_compiled(node: Node) -> bool:
    """A node standing for a region compiled by torch.compile: one opaque node whose
    next_functions are the region's inputs; the ops inside are not autograd nodes."""
    return type(node).__name__.startswith(COMPILED_NODE)


def root_node(t: torch.Tensor) -> Optional[Node]:
    if t.grad_fn is not None:
        return t.grad_fn
    if not t.requires_grad:
        return None
    # A leaf's AccumulateGrad node is reachable only through an op that uses it.
    with torch.enable_grad():
        return t.view_as(t).grad_fn.next_functions[0][0]


def walk(roots: Sequence[torch.Tensor], limit: Optional[int] = None) -> Tuple[List[Node], Dict[Node, int], Dict[Node, Tuple[Node, int]]]:
    """Nodes in breadth-first order from the roots, their indices, and for each node the
    node and slot it was first reached from."""
    # Read at each call, so a test can lower the cap.
    limit = MAX_WALK if limit is None else limit
    order: List[Node] = []
    index: Dict[Node, int] = {}
    consumer: Dict[Node, Tuple[Node, int]] = {}

    def visit(n: Optional[Node], source: Optional[Node], slot: int) -> None:
        if n is None or n in index:
            return
        if len(order) >= limit:
            raise GraphTooLarge()
        index[n] = len(order)
        order.append(n)
        if source is not None:
            consumer[n] = (source, slot)

    for r in roots:
        visit(root_node(r), None, 0)
    i = 0
    while i < len(order):
        n = order[i]
        for slot, (m, _) in enumerate(n.next_functions):
            visit(m, n, slot)
        i += 1
    return order, index, consumer


def structure(roots: Sequence[torch.Tensor], limit: Optional[int] = None) -> Tuple[int, List[torch.Tensor]]:
    """A hash of the node types in walk order, and the leaf tensors (what `signature` gives
    for `walk`'s order). Runs in training loops, so it builds nothing per node beyond the
    walk itself (types, not name() strings)."""
    limit = MAX_WALK if limit is None else limit
    seen = set()
    queue: List[Node] = []
    for r in roots:
        n = root_node(r)
        if n is not None and n not in seen:
            seen.add(n)
            queue.append(n)
    kinds: List[type] = []
    leaves: List[torch.Tensor] = []
    accumulate = ACCUMULATE
    for n in queue:  # grows while it is walked: breadth-first
        if len(kinds) >= limit:
            break  # a graph this big is not captured; its first nodes tell it apart
        kind = type(n)
        kinds.append(kind)
        if kind is accumulate:
            leaves.append(n.variable)
            continue
        for m, _ in n.next_functions:
            if m is not None and m not in seen:
                seen.add(m)
                queue.append(m)
    return hash(tuple(kinds)), leaves


def signature(order: Sequence[Node]) -> Tuple[int, List[torch.Tensor]]:
    """`structure` of a graph already walked."""
    kinds = tuple(type(n) for n in order)
    return hash(kinds), [n.variable for n, kind in zip(order, kinds) if kind is ACCUMULATE]


def saved_tensors(node: Node) -> Optional[List[torch.Tensor]]:
    """What the node saved for backward; None once backward has freed it."""
    out: List[torch.Tensor] = []
    for attr in sorted(a for a in dir(node) if a.startswith("_saved_")):
        try:
            v = getattr(node, attr)
        except RuntimeError:
            return None  # freed by backward
        if isinstance(v, torch.Tensor):
            out.append(v)
        elif isinstance(v, (tuple, list)):
            out.extend(x for x in v if isinstance(x, torch.Tensor))
    return out


def creation_ranks(order: Sequence[Node], index: Dict[Node, int]) -> List[int]:
    """A creation-consistent rank per node (inputs before the ops that use them), for
    torch versions without Node._sequence_nr: a depth-first post-order."""
    rank = [-1] * len(order)
    counter = 0
    for start in range(len(order) - 1, -1, -1):
        if rank[start] >= 0:
            continue
        stack: List[Tuple[int, int]] = [(start, 0)]
        rank[start] = -2  # on the stack
        while stack:
            i, edge = stack[-1]
            nexts = order[i].next_functions
            if edge < len(nexts):
                stack[-1] = (i, edge + 1)
                m = nexts[edge][0]
                j = index.get(m) if m is not None else None
                if j is not None and rank[j] == -1:
                    rank[j] = -2
                    stack.append((j, 0))
            else:
                stack.pop()
                rank[i] = counter
                counter += 1
    return rank
