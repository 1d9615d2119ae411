"""torch.compile'd code under the tracer, as a user gets it on torch 2.x: the compiled region
is one opaque CompiledFunctionBackward node, and the run says so in a `run/notice`.

The backend is `aot_eager`: AOTAutograd makes the same one-node backward as inductor does,
without inductor's C++ compiler and build step, so the test needs only torch itself
(test_torch_compile_inductor.py runs the default backend where a C++ compiler is present).
Skipped where torch has no torch.compile (1.13) or dynamo cannot run (e.g. a Python newer
than the torch release supports)."""
import os
import sys
from typing import Optional

import pytest
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from helpers import by_id, functions, run_script  # noqa: E402


def _why_compile_cannot_run() -> Optional[str]:
    if not hasattr(torch, "compile"):
        return f"torch {torch.__version__} has no torch.compile"
    try:
        double = torch.compile(lambda x: x * 2, backend="aot_eager")
        double(torch.ones(1, requires_grad=True)).sum().backward()
    except Exception as e:  # dynamo refuses some Python versions and platforms outright
        return f"torch.compile cannot run on torch {torch.__version__}, Python {sys.version.split()[0]}: {type(e).__name__}: {e}"
    return None


_REASON = _why_compile_cannot_run()
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")

COMPILED_NET = """
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 3)
            self.fc2 = nn.Linear(3, 1)

        def forward(self, x):
            return self.fc2(self.fc1(x).tanh())

    torch.manual_seed(0)
    model = torch.compile(Net(), backend="aot_eager")
    x = torch.ones(4, 2)
    loss = model(x).pow(2).sum()
    loss.backward()
    print("loss", round(loss.item(), 4), "grad", round(model.fc1.weight.grad.abs().sum().item(), 4))
"""


def test_a_compiled_model_is_one_opaque_node_and_the_run_says_so(tmp_path):
    result = run_script(tmp_path, COMPILED_NET)
    assert result.returncode == 0, result.stderr
    [snap] = result.snapshots
    nodes = by_id(snap)
    compiled = [n for n in functions(snap) if n["name"].startswith("CompiledFunctionBackward")]
    assert len(compiled) == 1, [n["name"] for n in functions(snap)]
    # Linear and tanh ran inside the region: none of their backward nodes is in the graph.
    assert not [n["name"] for n in functions(snap) if n["name"].startswith(("Addmm", "Tanh", "T"))]
    # Its inputs are the model's four parameters, named as the model's own (no `_orig_mod.`).
    assert [nodes[e["id"]]["kind"] for e in compiled[0]["next"] if e is not None] == ["accumulate"] * 4
    assert sorted(n["name"] for n in nodes.values() if n["kind"] == "leaf") == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]
    assert compiled[0]["modulePath"] == ["Net"]
    [notice] = result.notices
    assert notice["kind"] == "compiled"
    assert notice["message"] == "the graph of backward() #1 has a region compiled by torch.compile: it shows as one node, its inside is not recorded"
    # The script's output is what plain python prints: the gradients really flowed.
    assert result.stdout.startswith("loss ") and " grad 0.0" not in result.stdout


def test_a_compiled_function_in_a_loop_is_noted_once(tmp_path):
    # AOTAutograd differentiates the compiled graph through torch.autograd.grad at the first
    # call: that is not one of the script's backward() calls, which stay #1 to #3.
    result = run_script(tmp_path, """
        import torch

        @torch.compile(backend="aot_eager")
        def f(a, b):
            return (a * b).sin()

        a = torch.tensor([1.0, 2.0], requires_grad=True)
        b = torch.tensor([3.0, 4.0], requires_grad=True)
        for _ in range(3):
            f(a, b).sum().backward()
    """, captureAt="all")
    assert result.returncode == 0, result.stderr
    assert [s["index"] for s in result.snapshots] == [1, 2, 3]
    for snap in result.snapshots:
        assert [n["name"] for n in functions(snap)] == ["SumBackward0", "CompiledFunctionBackward"]
        assert sorted(n["name"] for n in snap["nodes"] if n["kind"] == "leaf") == ["a", "b"]
    assert [n["kind"] for n in result.notices] == ["compiled"]
