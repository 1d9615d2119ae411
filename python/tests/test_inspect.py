"""gradlens.inspect: the tensors in scope of a paused frame, read without side effects."""
import json
import warnings

import torch

from contract import check_snapshot
from gradlens.inspect import MAX_SEQUENCE_ITEMS, MAX_TENSORS, inspect_scope, scope_json


class Noisy:
    """A user object whose repr must never run while a stop is inspected."""

    reprs = 0

    def __repr__(self) -> str:
        Noisy.reprs += 1
        return "Noisy()"


def q_scope():
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    b = torch.tensor([6.0, 4.0], requires_grad=True)
    Q = 3 * a**3 - b**2
    return {"a": a, "b": b, "Q": Q}


def graph_nodes(inspection):
    return {n["id"]: n for n in inspection["graph"]["nodes"]}


def check_inspection(text):
    """The field checks of parseInspection (src/runner/debug/protocol.ts), in Python."""
    o = json.loads(text)
    assert o["version"] == 1 and isinstance(o["truncated"], bool)
    for t in o["tensors"]:
        assert isinstance(t["name"], str) and isinstance(t["id"], str)
        assert t["gradFn"] is None or isinstance(t["gradFn"], str)
        assert all(isinstance(t[k], bool) for k in ("isLeaf", "requiresGrad", "retainsGrad"))
        assert isinstance(t["version"], int) and (t["nodeId"] is None or isinstance(t["nodeId"], str))
    if o["graph"] is not None:
        check_snapshot(o["graph"])
    return o


def test_q_graph_is_pytorchs_with_named_leaves_and_output():
    scope = q_scope()
    o = check_inspection(scope_json(scope, {}))
    nodes = graph_nodes(o)
    functions = sorted(n["name"] for n in nodes.values() if n["kind"] == "function")
    assert functions == ["MulBackward0", "PowBackward0", "PowBackward0", "SubBackward0"]
    assert sorted(n["name"] for n in nodes.values() if n["kind"] == "leaf") == ["a", "b"]
    [out] = o["graph"]["outputs"]
    assert nodes[out]["name"] == "Q" and nodes[nodes[out]["attachedTo"]]["name"] == "SubBackward0"
    by_name = {t["name"]: t for t in o["tensors"]}
    assert by_name["Q"]["gradFn"] == "SubBackward0" and by_name["Q"]["nodeId"] == out
    assert by_name["a"]["isLeaf"] and by_name["a"]["value"]["first"] == [2, 3]
    assert nodes[by_name["a"]["nodeId"]]["kind"] == "leaf"
    # The edges are PyTorch's: SubBackward0's inputs are MulBackward0 then PowBackward0.
    sub = nodes[nodes[out]["attachedTo"]]
    assert [nodes[e["id"]]["name"] for e in sub["next"]] == ["MulBackward0", "PowBackward0"]


def test_reading_changes_nothing():
    scope = q_scope()
    a, Q = scope["a"], scope["Q"]
    scope["noisy"] = Noisy()
    scope["items"] = [Noisy(), torch.zeros(1)]
    model = torch.nn.Linear(2, 1)
    scope["model"] = model
    versions = {k: v._version for k, v in scope.items() if isinstance(v, torch.Tensor)}
    Q.sum().backward(retain_graph=True)
    grad_before = a.grad.clone()
    for grad_mode in (True, False):
        with torch.set_grad_enabled(grad_mode), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            o = check_inspection(scope_json(scope, {}))
            assert torch.is_grad_enabled() is grad_mode
        assert caught == []  # e.g. no warning for reading .grad of the non-leaf Q
        assert {t["name"] for t in o["tensors"]} >= {"a", "b", "Q", "items[1]", "model.weight", "model.bias"}
    assert Noisy.reprs == 0
    assert {k: v._version for k, v in scope.items() if isinstance(v, torch.Tensor)} == versions
    assert torch.equal(a.grad, grad_before) and Q.grad_fn.metadata == {}
    assert a._backward_hooks is None and Q._backward_hooks is None
    assert model.weight.grad is None and not model._forward_hooks and not model._backward_hooks
    # The graph still runs backward as before: nothing was freed or hooked.
    Q.sum().backward()
    assert torch.equal(a.grad, grad_before * 2)


def test_ids_are_stable_across_stops_and_new_tensors_get_new_ones():
    scope = q_scope()
    first = {t["name"]: t["id"] for t in inspect_scope(scope, {})["tensors"]}
    scope["Q"] = scope["Q"] * 2
    second = {t["name"]: t["id"] for t in inspect_scope(scope, {})["tensors"]}
    assert first["a"] == second["a"] and first["b"] == second["b"]
    assert first["Q"] != second["Q"]


def test_locals_come_before_globals_and_limits_cut_short():
    g = {f"g{i}": torch.zeros(1) for i in range(MAX_TENSORS)}
    local = {"mine": torch.ones(1), **g}  # the debug adapter merges globals into the locals
    o = inspect_scope(local, g)
    assert o["tensors"][0]["name"] == "mine" and len(o["tensors"]) == MAX_TENSORS and o["truncated"]
    many = {"xs": [torch.zeros(1) for _ in range(MAX_SEQUENCE_ITEMS + 4)]}
    assert len(inspect_scope(many, {})["tensors"]) == MAX_SEQUENCE_ITEMS


def test_scope_without_history_has_no_graph_and_non_finite_values_are_encoded():
    o = check_inspection(scope_json({"x": torch.tensor([1.0, float("nan"), float("inf")]), "n": 3}, {}))
    assert o["graph"] is None
    [x] = o["tensors"]
    assert x["value"]["first"] == [1, "NaN", "Infinity"] and x["nodeId"] is None


def test_unused_leaf_is_one_leaf_node_before_and_after_it_is_used():
    w = torch.ones(2, requires_grad=True)
    before = inspect_scope({"w": w}, {})
    y = w * 2
    after = inspect_scope({"w": w, "y": y}, {})
    leaf_ids = [[n["id"] for n in o["graph"]["nodes"] if n["kind"] == "leaf"] for o in (before, after)]
    assert leaf_ids[0] == leaf_ids[1] and len(leaf_ids[0]) == 1
