"""The order PyTorch's autograd engine runs a graph's nodes in, replayed from the order its
function nodes were seen to run: lets the flow recorder place AccumulateGrad nodes without
hooking them (a hook's holder stays on a parameter's AccumulateGrad node, which later steps'
graphs reuse, and costs every later backward() a call into Python).

The engine (torch/csrc/autograd/engine.cpp) runs a ready queue: a std::priority_queue ordered
by sequence number, in which AccumulateGrad nodes rank above every other node and tie among
themselves. A node is pushed once every edge into it has delivered its gradient, the edges of
a node that ran being delivered in their order; a backward() from several roots starts from a
dummy root whose edges are those roots. Ties are broken by the heap's layout, so the heap is
replayed here as libstdc++ lays it out; the function nodes rank by the order they were seen in,
which agrees with every comparison the engine made between them."""
from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence

_FIRST = float("inf")


def _push(heap: List[int], item: int, rank: Callable[[int], float]) -> None:
    """std::push_heap: the new item rises while its parent ranks strictly lower."""
    heap.append(item)
    _sift_up(heap, len(heap) - 1, 0, item, rank)


def _sift_up(heap: List[int], hole: int, top: int, item: int, rank: Callable[[int], float]) -> None:
    parent = (hole - 1) // 2
    while hole > top and rank(heap[parent]) < rank(item):
        heap[hole] = heap[parent]
        hole = parent
        parent = (hole - 1) // 2
    heap[hole] = item


def _pop(heap: List[int], rank: Callable[[int], float]) -> int:
    """std::pop_heap then pop_back: the last item fills the hole left at the top, going down
    along the higher child (the right one on a tie) and then back up."""
    top = heap[0]
    last = heap.pop()
    if heap:
        _adjust(heap, last, rank)
    return top


def _adjust(heap: List[int], item: int, rank: Callable[[int], float]) -> None:
    size = len(heap)
    hole = child = 0
    while child < (size - 1) // 2:
        child = 2 * (child + 1)
        if rank(heap[child]) < rank(heap[child - 1]):
            child -= 1
        heap[hole] = heap[child]
        hole = child
    if size % 2 == 0 and child == (size - 2) // 2:
        child = 2 * (child + 1)
        heap[hole] = heap[child - 1]
        hole = child - 1
    _sift_up(heap, hole, 0, item, rank)


def engine_order(nexts: Sequence[Sequence[Optional[int]]], roots: Sequence[int], accumulate: Sequence[bool], seen: Dict[int, int]) -> Optional[List[int]]:
    """Every node's index in the order a plain backward() from `roots` runs them. `nexts`
    gives each node's next_functions as node indices (None for an edge to nothing),
    `seen` the function nodes' places in the order they were seen to run. None when the
    replay does not run the function nodes in the order seen (the engine did something this
    model does not know): the caller must not guess then."""
    dummy = len(nexts)
    pending = [0] * len(nexts)
    for edges in nexts:
        for m in edges:
            if m is not None:
                pending[m] += 1
    if len(roots) > 1:
        for r in roots:
            pending[r] += 1

    def rank(i: int) -> float:
        return _FIRST if i == dummy or accumulate[i] else -seen.get(i, len(nexts))

    heap: List[int] = []
    _push(heap, dummy if len(roots) > 1 else roots[0], rank)
    ran: List[int] = []
    while heap:
        i = _pop(heap, rank)
        if i != dummy:
            ran.append(i)
        for m in roots if i == dummy else nexts[i]:
            if m is None:
                continue
            pending[m] -= 1
            if pending[m] == 0:
                _push(heap, m, rank)
    functions = [i for i in ran if not accumulate[i]]
    if functions != sorted(seen, key=seen.__getitem__) or len(ran) != len(nexts):
        return None
    return ran
