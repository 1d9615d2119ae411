"""torch.compile(model) with its default backend, inductor, under the tracer: what a user
writes. Inductor generates and compiles C++ for the CPU (a C++ compiler and Python's headers,
which scripts/torch2-env.sh installs), then runs the compiled region as one
CompiledFunctionBackward node, as aot_eager does (test_torch_compile.py).

Skipped where torch has no torch.compile (1.13) or no C++ compiler is on PATH."""
import os
import shutil
import subprocess
import sys
from typing import Optional

import pytest
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from helpers import by_id, functions, run_script, write  # noqa: E402


def _why_inductor_cannot_run() -> Optional[str]:
    if not hasattr(torch, "compile"):
        return f"torch {torch.__version__} has no torch.compile"
    compiler = os.environ.get("CXX", "g++")
    if shutil.which(compiler) is None:
        return f"inductor compiles C++ and there is no {compiler} on PATH (scripts/torch2-env.sh installs g++)"
    return None


_REASON = _why_inductor_cannot_run()
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")

# A training loop as tutorials write it: compile the model, train it with Adam, print losses.
TRAIN_COMPILED = """
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 8)
            self.fc2 = nn.Linear(8, 1)

        def forward(self, x):
            return self.fc2(self.fc1(x).tanh())

    torch.manual_seed(0)
    model = torch.compile(Net())
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    x = torch.linspace(-1, 1, 16).reshape(8, 2)
    y = x.sum(dim=1, keepdim=True).sin()
    for step in range(5):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        print("step", step, "loss", f"{loss.item():.6f}")
"""

# Inductor's first compile of a model takes long on a loaded machine: the plain run before
# the traced one leaves its compiled code in inductor's cache.
SLOW = 600


def test_the_default_backend_is_one_opaque_node_and_the_record_fills(tmp_path):
    script = write(tmp_path, "plain.py", TRAIN_COMPILED)
    plain = subprocess.run([sys.executable, script], cwd=str(tmp_path), capture_output=True, text=True, timeout=SLOW)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.count("loss") == 5

    result = run_script(tmp_path, TRAIN_COMPILED, collect_timeout=SLOW)
    assert result.returncode == 0, result.stderr
    # The script's output is what plain python prints.
    assert result.stdout == plain.stdout
    snapshots = result.snapshots
    assert snapshots, result.messages
    for snap in snapshots:
        nodes = by_id(snap)
        names = [n["name"] for n in functions(snap)]
        compiled = [n for n in functions(snap) if n["name"].startswith("CompiledFunctionBackward")]
        assert len(compiled) == 1, names
        # Linear and tanh ran inside the region; the loss's ops outside it are PyTorch's own.
        assert names == ["MeanBackward0", "PowBackward0", "SubBackward0", compiled[0]["name"]]
        assert [nodes[e["id"]]["kind"] for e in compiled[0]["next"] if e is not None] == ["accumulate"] * 4
        assert sorted(n["name"] for n in nodes.values() if n["kind"] == "leaf") == ["fc1.bias", "fc1.weight", "fc2.bias", "fc2.weight"]
    assert [n["kind"] for n in result.notices] == ["compiled"]
    # The training record: every step's loss as printed, Adam's learning rate, the norms.
    metrics = result.metrics
    assert [m["step"] for m in metrics] == [1, 2, 3, 4, 5]
    printed = [float(line.split()[-1]) for line in plain.stdout.splitlines()]
    assert [round(m["loss"], 6) for m in metrics] == printed
    assert [m["lr"] for m in metrics] == [0.05] * 5
    assert list(metrics[0]["gradNorms"]) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert all(norm > 0 for norm in metrics[0]["gradNorms"].values())
