"""Training loops as real programs write them: an LBFGS closure calling backward() many times
per step, an RNN cell called at every time step, a graph rebuilt after backward freed it."""
from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any, Dict, List, Tuple

import torch

import host
from helpers import functions, run_script

sys.path.insert(0, host.PYTHON_DIR)

from gradlens import snapshots as snapshots_module  # noqa: E402
from gradlens.capture import Capture, Sink  # noqa: E402
from gradlens.protocol import RunOptions  # noqa: E402

LBFGS_RNN = """
import torch
from torch import nn
torch.manual_seed(0)

class Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.LSTMCell(1, 4)
        self.head = nn.Linear(4, 1)

    def forward(self, x):
        h = torch.zeros(x.size(0), 4)
        c = torch.zeros(x.size(0), 4)
        outs = []
        for x_t in x.split(1, dim=1):
            h, c = self.cell(x_t, (h, c))
            outs.append(self.head(h))
        return torch.cat(outs, dim=1)

seq = Seq()
x = torch.linspace(0, 3, 30).reshape(3, 10).sin()
y = x.roll(-1, 1)
opt = torch.optim.LBFGS(seq.parameters(), lr=0.5, max_iter=6)
for step in range(2):
    def closure():
        opt.zero_grad()
        loss = ((seq(x) - y) ** 2).mean()
        loss.backward()
        return loss
    opt.step(closure)
print("done")
"""


def test_lbfgs_closure_repeats_are_not_captured_again(tmp_path):
    result = run_script(tmp_path, LBFGS_RNN)
    assert result.returncode == 0, result.stderr
    count = result.done["backwardCount"]
    assert count > 6
    # The second backward repeats the first graph: only the first is captured in full, and
    # the last is rebuilt at the end from it.
    assert [(s["index"], s["detail"]) for s in result.snapshots] == [(1, "full"), (count, "light")]
    assert [m["step"] for m in result.metrics] == list(range(1, count + 1))


def _runs(snapshot: Dict[str, Any]) -> Dict[Tuple[str, int], List[int]]:
    """Positions in creation order of each module call's nodes."""
    ordered = sorted(functions(snapshot), key=lambda n: n["sequenceNr"])
    positions: Dict[Tuple[str, int], List[int]] = defaultdict(list)
    for i, n in enumerate(ordered):
        if n.get("moduleCalls"):
            positions[(n["modulePath"][-1], n["moduleCalls"][-1])].append(i)
    return positions


def test_rebuilt_graph_keeps_module_calls_contiguous(tmp_path):
    result = run_script(tmp_path, LBFGS_RNN)
    first, last = result.snapshots[0], result.snapshots[-1]
    assert last["detail"] == "light"
    for snapshot in (first, last):
        runs = _runs(snapshot)
        cells = [key for key in runs if key[0] == "Seq.cell"]
        assert len(cells) == 10
        # groupTree finds a call as one run of the creation order: interleaved calls would
        # break the unrolled steps apart.
        for key, at in runs.items():
            assert at == list(range(at[0], at[0] + len(at))), key
    assert [n["modulePath"] for n in functions(first)] == [n["modulePath"] for n in functions(last)]


class _Quiet(Sink):
    def __init__(self) -> None:
        self.snapshots: List[Any] = []

    def snapshot(self, snapshot: Any) -> None:
        self.snapshots.append(snapshot)


def test_freed_graph_is_probed_once(monkeypatch):
    # Probing a freed node raises a C++ error that records a backtrace: a 30,000-node graph
    # rebuilt at the end of a run must not pay that per node.
    calls = []
    probe = snapshots_module.saved_tensors

    def counting(node: Any) -> Any:
        calls.append(node)
        return probe(node)

    monkeypatch.setattr(snapshots_module, "saved_tensors", counting)
    w = torch.ones(3, requires_grad=True)
    x = w
    for _ in range(50):
        x = (x * 1.5).sin()
    loss = x.sum()
    loss.backward()
    options = RunOptions(script="x.py", cwd=".", capture_at="last", max_nodes=2000, saved_tensors=False, stop_after=None)
    capture = Capture(options, _Quiet(), 0.0)
    pending = capture.snapshots.begin(1, "backward", [loss], None, live=False)
    assert len(pending.order) > 100
    # SumBackward0 keeps only sizes, readable after backward; SinBackward0 is the first freed.
    assert len(calls) <= 3
    assert all(saved == [] for saved in pending.saved.values())


RECORDED = """
import torch
w = torch.tensor(2.0, requires_grad=True)

def recorded(t):
    return "gradlens" in t.grad_fn.metadata

{body}
"""


def test_a_loop_is_learned_before_its_second_forward(tmp_path):
    # backward() inside a loop: the second step is expected to repeat the first, so its
    # forward runs without the recorder (a structure check confirms the repeat). The last
    # step, foreseen from range(5), is recorded again.
    result = run_script(tmp_path, RECORDED.format(body="""
for i in range(5):
    loss = (w * 3).sin()
    print(i, recorded(loss))
    loss.backward()
"""))
    assert result.stdout.split() == ["0", "True", "1", "False", "2", "False", "3", "False", "4", "True"]
    assert [(s["index"], s["detail"]) for s in result.snapshots] == [(1, "full"), (5, "full")]
    assert [m["step"] for m in result.metrics] == [1, 2, 3, 4, 5]


def test_backward_calls_outside_loops_are_each_recorded(tmp_path):
    result = run_script(tmp_path, RECORDED.format(body="""
first = (w * 3).sin()
print(recorded(first))
first.backward()
second = (w * 3).sin()
print(recorded(second))
second.backward()
"""))
    assert result.stdout.split() == ["True", "True"]


def test_a_loop_whose_graph_changes_is_captured_again(tmp_path):
    result = run_script(tmp_path, RECORDED.format(body="""
for i in range(3):
    loss = (w * 3).sin() if i == 0 else (w * 3).cos().exp()
    loss.backward()
"""))
    # Step 2 was expected to repeat step 1 and did not: step 3 is captured in full.
    assert [(s["index"], s["detail"]) for s in result.snapshots] == [(1, "full"), (3, "full")]


def test_the_runner_reads_a_scripts_loops_before_it_runs(tmp_path):
    # The first captured backward() of a training loop would otherwise parse the file.
    result = run_script(tmp_path, """
        import sys
        import torch
        loops = sys.modules["gradlens.loops"]
        print("READ", [first for first, _, _ in loops._spans.get(__file__, [])])
        w = torch.ones(2, requires_grad=True)
        for i in range(2):
            (w * 2).sum().backward()
    """)
    assert "READ [7]" in result.stdout
