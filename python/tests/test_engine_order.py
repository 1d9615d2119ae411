"""AccumulateGrad flows derived without hooks (flow.py, engine_order.py) against the same
graphs recorded with a hook on every node, which sees PyTorch's engine run them."""
import random
from typing import Callable, List

import pytest
import torch
from torch import nn

from gradlens.engine_order import engine_order
from gradlens.flow import FlowRecorder
from gradlens.graph import root_node, walk

Build = Callable[[], List[torch.Tensor]]


def _record(build: Build, leaves: str, backward: Callable[[List[torch.Tensor]], None]):
    torch.manual_seed(0)
    roots = build()
    order, index_of, _ = walk(roots)
    recorder = FlowRecorder(order, index_of, {}, [index_of[root_node(r)] for r in roots], leaves)
    try:
        backward(roots)
    finally:
        for h in recorder.hooks:
            h.remove()
    recorder.finish()
    return [type(n).__name__ for n in order], recorder.flows


def _same_flows(build: Build, backward: Callable[[List[torch.Tensor]], None] = lambda roots: torch.autograd.backward(roots)) -> None:
    names, seen = _record(build, "hook", backward)
    _, derived = _record(build, "derive", backward)
    assert sorted(f["order"] for f in seen.values()) == list(range(len(names)))
    assert derived == seen


def _leaves(n: int, shape=()) -> List[torch.Tensor]:
    return [torch.full(shape, float(i + 1), requires_grad=True) for i in range(n)]


@pytest.mark.parametrize("n", range(1, 10))
def test_leaves_made_ready_together_run_in_the_heaps_order(n):
    # One node readies all n AccumulateGrad nodes at once: from 4 on, their order is not the
    # edges' order but the one the engine's binary heap gives.
    _same_flows(lambda: [torch.stack(_leaves(n)).sum()])


def test_fan_in_to_a_leaf_is_summed_as_the_engine_sums_it():
    def build():
        a, b = _leaves(2, (3,))
        return [(a * 4 + a ** 2 + a * b + a.exp()).sum()]

    _same_flows(build)


def test_one_op_using_a_leaf_twice():
    def build():
        (a,) = _leaves(1, (2,))
        return [(a * a).sum()]

    _same_flows(build)


def test_a_leaf_with_a_gradient_already():
    def build():
        a, b = _leaves(2, (2,))
        a.grad = torch.tensor([0.5, -1.0])
        return [(a * b).sum()]

    _same_flows(build)


def test_several_roots():
    def build():
        a, b, c = _leaves(3)
        shared = a * b
        return [shared * c, shared + a, (b * c).exp()]

    _same_flows(build)


def test_a_model_and_its_loss():
    def build():
        model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
        x = torch.randn(5, 3)
        return [nn.functional.cross_entropy(model(x), torch.tensor([0, 1, 1, 0, 1]))]

    _same_flows(build)


@pytest.mark.parametrize("seed", range(12))
def test_random_graphs(seed):
    def build():
        rng = random.Random(seed)
        pool = _leaves(rng.randint(2, 7), (2,))
        for _ in range(rng.randint(3, 25)):
            op = rng.choice(["add", "mul", "stack", "exp", "cat"])
            picks = rng.sample(pool, min(len(pool), rng.randint(1, 5)))
            if op == "add":
                out = sum(picks[1:], picks[0])
            elif op == "mul":
                out = picks[0] * picks[-1]
            elif op == "exp":
                out = (picks[0] * 0.1).exp()
            elif op == "stack":
                out = torch.stack(picks).sum(0)
            else:
                out = torch.cat(picks).reshape(-1, 2).mean(0)
            pool.append(out)
        return [torch.stack(pool[-3:]).sum()]

    _same_flows(build)


def test_a_replay_that_disagrees_with_what_was_seen_gives_no_order():
    # c -> b -> a; seen to run a, then c (skipping b): no order is guessed.
    nexts = [[1], [2], []]
    assert engine_order(nexts, [0], [False, False, False], {0: 0, 1: 1, 2: 2}) == [0, 1, 2]
    assert engine_order(nexts, [0], [False, False, False], {0: 0, 2: 1, 1: 2}) is None
