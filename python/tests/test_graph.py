"""Captured graphs checked against what PyTorch itself reports."""
import os
import sys

import torch

import host
from contract import check_all
from helpers import by_id, functions, leaves, run_script

sys.path.insert(0, host.PYTHON_DIR)

from gradlens.features import predicted_missing  # noqa: E402
from gradlens.graph import is_compiled  # noqa: E402


def torch_walk(root: torch.Tensor):
    """BFS over grad_fn as the runner promises to: names and next edges by position."""
    order, index = [root.grad_fn], {root.grad_fn: 0}
    i = 0
    while i < len(order):
        for m, _ in order[i].next_functions:
            if m is not None and m not in index:
                index[m] = len(order)
                order.append(m)
        i += 1
    edges = [[None if m is None else (index[m], nr) for m, nr in n.next_functions] for n in order]
    return [n.name() for n in order], edges


def test_retain_grad_matches_pytorch():
    result = host.run(os.path.join(host.EXAMPLES, "retain_grad.py"))
    check_all(result)
    assert result.returncode == 0 and "dP/da -384.0" in result.stdout
    [snap] = result.snapshots
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(8.0, requires_grad=True)
    P = (a**3 - 3 * b) ** 2
    names, edges = torch_walk(P)
    assert names == ["PowBackward0", "SubBackward0", "PowBackward0", "MulBackward0",
                     "torch::autograd::AccumulateGrad", "torch::autograd::AccumulateGrad"]
    graph = [n for n in snap["nodes"] if n["kind"] in ("function", "accumulate")]
    assert [n["id"] for n in graph] == [f"n{i}" for i in range(len(names))]
    assert [n["name"] for n in graph] == names
    for n, e in zip(graph, edges):
        assert n["next"] == [None if x is None else {"id": f"n{x[0]}", "inputNr": x[1]} for x in e]
    P.backward()
    named = leaves(snap)
    assert set(named) == {"a", "b"}
    assert named["a"]["attachedTo"] == "n4" and named["b"]["attachedTo"] == "n5"
    assert named["a"]["grad"]["first"] == [a.grad.item()] == [-384.0]
    assert named["b"]["grad"]["first"] == [b.grad.item()] == [96.0]
    nodes = by_id(snap)
    assert nodes["n0"]["value"]["first"] == [256.0] and nodes["n1"]["value"]["first"] == [-16.0]
    assert nodes["n1"]["grad"]["first"] == [-32.0]  # dP/dQ flowing into SubBackward0
    [out] = [n for n in snap["nodes"] if n["kind"] == "output"]
    assert out["id"] == "out0" and out["name"] == "P" and out["attachedTo"] == "n0"
    assert snap["outputs"] == ["out0"] and snap["detail"] == "full" and snap["trigger"] == "backward"
    assert out["location"]["line"] == 15 and out["location"]["file"].endswith("retain_grad.py")
    # Creation order: a**3 before 3*b before the subtraction before the square.
    seq = {n["id"]: n["sequenceNr"] for n in functions(snap)}
    assert seq["n2"] < seq["n3"] < seq["n1"] < seq["n0"]
    assert nodes["n1"]["location"] == {"file": out["location"]["file"], "line": 7, "column": 5}
    assert result.done["backwardCount"] == 1


MLP = """
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.fc2 = nn.Linear(4, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))

torch.manual_seed(0)
model = Net()
x = torch.randn(5, 3)
loss = model(x).pow(2).mean()
loss.backward()
"""


def test_mlp_names_parameters_and_groups_modules(tmp_path):
    result = run_script(tmp_path, MLP)
    assert result.returncode == 0, result.stderr
    [snap] = result.snapshots
    named = leaves(snap)
    assert set(named) == {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}
    paths = {tuple(n["modulePath"]) for n in functions(snap)}
    assert ("Net", "Net.fc1") in paths and ("Net", "Net.fc2") in paths and ("Net",) in paths and () in paths
    relu = [n for n in functions(snap) if n["name"] == "ReluBackward0"][0]
    assert relu["modulePath"] == ["Net"] and len(relu["moduleCalls"]) == 1
    fc1 = [n for n in functions(snap) if n["modulePath"] == ["Net", "Net.fc1"]]
    assert fc1 and all(len(n["moduleCalls"]) == 2 and n["moduleCalls"][0] == relu["moduleCalls"][0] for n in fc1)
    assert named["fc1.weight"]["modulePath"] == ["Net", "Net.fc1"]
    assert named["fc1.weight"]["grad"]["shape"] == [4, 3]
    [metric] = result.metrics
    assert list(metric["gradNorms"]) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def test_autograd_grad_and_non_scalar_backward(tmp_path):
    result = run_script(tmp_path, """
        import torch
        x = torch.tensor([1.0, 2.0], requires_grad=True)
        y = x * x
        (g,) = torch.autograd.grad(y.sum(), x)
        z = x * 3
        z.backward(torch.ones(2))
        print(g.tolist(), x.grad.tolist())
    """, captureAt="all")
    assert result.returncode == 0 and "[2.0, 4.0] [3.0, 3.0]" in result.stdout
    first, second = result.snapshots
    assert first["trigger"] == "autograd.grad" and second["trigger"] == "backward"
    assert leaves(first)["x"]["grad"]["first"] == [2.0, 4.0]
    assert leaves(second)["x"]["grad"]["first"] == [3.0, 3.0]
    assert [n for n in second["nodes"] if n["kind"] == "output"][0]["name"] == "z"
    # Only scalar backward() calls make training records.
    assert result.metrics == []
    assert result.done["backwardCount"] == 2


def test_saved_tensors_are_nodes_when_asked(tmp_path):
    result = run_script(tmp_path, """
        import torch
        a = torch.tensor(2.0, requires_grad=True)
        (a * a).sin().backward()
    """, savedTensors=True)
    [snap] = result.snapshots
    saved = [n for n in snap["nodes"] if n["kind"] == "saved"]
    assert saved and all(n["attachedTo"] in by_id(snap) for n in saved)


class CompiledFunctionBackward:
    """Shaped like torch 2.x's node for a torch.compile'd region (not installed here)."""

    def __init__(self, inputs):
        self.next_functions = tuple((t.grad_fn, 0) for t in inputs)


def test_a_compiled_region_is_recognised_by_its_node_kind():
    x = torch.ones(2, requires_grad=True)
    region = CompiledFunctionBackward([x * 2])
    assert is_compiled(region)
    assert not is_compiled((x * 2).grad_fn)
    assert not is_compiled(region.next_functions[0][0])


def test_torch_1_13_is_said_to_lack_torch_compile():
    assert "torch.compile" in predicted_missing("1.13.1")
    assert "torch.compile" not in predicted_missing("2.3.0")


def test_a_big_graph_summarizes_its_first_ops_only(tmp_path):
    from gradlens.graph import MAX_SUMMARIZED

    steps = MAX_SUMMARIZED // 2 + 500
    result = run_script(tmp_path, f"""
        import torch
        w = torch.tensor([0.5, -0.5], requires_grad=True)
        h = w
        for _ in range({steps}):
            h = torch.tanh(h * 1.01)
        h.sum().backward()
    """, maxNodes=50_000)
    [snap] = result.snapshots
    assert snap["detail"] == "full"
    nodes = functions(snap)
    assert len(nodes) > MAX_SUMMARIZED
    valued = [n for n in nodes if n["value"] is not None]
    with_grad = [n for n in nodes if n["grad"] is not None]
    assert MAX_SUMMARIZED - 2 <= len(valued) <= MAX_SUMMARIZED
    assert {n["id"] for n in with_grad} == {n["id"] for n in valued}
    # The first ops (the farthest from the root in walk order) have them, the last do not.
    assert nodes[-2]["value"] is not None and nodes[0]["value"] is None
    assert all(n["location"] is not None for n in nodes)
    assert leaves(snap)["w"]["grad"] is not None
