"""The training record, the capture policy and stopping at a line."""
import os

from helpers import leaves, run_script, write
import host
from contract import check_all

ADAM_LOOP = """
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 10), nn.Tanh(), nn.Linear(10, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
x = torch.linspace(-1, 1, 32).unsqueeze(1)
y = x.sin()
for step in range({steps}):
    opt.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    opt.step()
    sched.step()
"""


def test_training_record_with_adam_and_lr(tmp_path):
    result = run_script(tmp_path, ADAM_LOOP.format(steps=30))
    assert result.returncode == 0, result.stderr
    metrics = result.metrics
    assert [m["step"] for m in metrics] == list(range(1, 31))
    assert [m["lr"] for m in metrics[:3]] == [0.01, 0.01, 0.01]
    assert metrics[10]["lr"] == 0.005 and metrics[29]["lr"] == 0.0025
    assert list(metrics[0]["gradNorms"]) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    # Norms of the first steps always; after them a fast loop's are sampled by the clock.
    assert all(m["gradNorms"]["0.weight"] > 0 for m in metrics[:8])
    assert all(m["gradNorms"]["0.weight"] > 0 for m in metrics if m["gradNorms"])
    assert metrics[-1]["loss"] < metrics[0]["loss"]
    assert all(a["timeMs"] <= b["timeMs"] for a, b in zip(metrics, metrics[1:]))
    # "last": full captures while the graph is new, then the loop's last step, foreseen from
    # its range(30), in full too.
    snaps = result.snapshots
    assert snaps[0]["index"] == 1 and snaps[0]["detail"] == "full"
    assert snaps[-1]["index"] == 30 and snaps[-1]["detail"] == "full" and snaps[-1]["flowRecorded"]
    assert len(snaps) < 6
    last = leaves(snaps[-1])
    assert set(last) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert last["0.weight"]["grad"] is not None
    assert all(n["location"] is not None for n in snaps[-1]["nodes"] if n["kind"] == "function")
    assert result.done["backwardCount"] == 30


def test_backward_without_optimizer_has_no_lr(tmp_path):
    result = run_script(tmp_path, """
        import torch
        w = torch.tensor(1.0, requires_grad=True)
        for i in range(3):
            (w * 2).backward()
    """)
    assert [m["lr"] for m in result.metrics] == [None, None, None]
    assert [m["gradNorms"]["w"] for m in result.metrics] == [2.0, 4.0, 6.0]


LOOP = """
import torch
w = torch.tensor(1.0, requires_grad=True)
for i in range(6):
    loss = (w * (i + 1)) ** 2
    loss.backward()
"""


def test_capture_at_variants(tmp_path):
    at3 = run_script(tmp_path, LOOP, captureAt=3)
    assert [s["index"] for s in at3.snapshots] == [1, 3]
    assert at3.snapshots[1]["detail"] == "full"
    every = run_script(tmp_path, LOOP, captureAt="all")
    assert [s["index"] for s in every.snapshots] == [1, 2, 3, 4, 5, 6]
    assert all(s["detail"] == "full" for s in every.snapshots)
    last = run_script(tmp_path, LOOP, captureAt="last")
    indices = [s["index"] for s in last.snapshots]
    assert indices[0] == 1 and indices[-1] == 6 and len(indices) < 6


def test_structure_change_rearms_a_full_capture(tmp_path):
    result = run_script(tmp_path, """
        import torch
        w = torch.tensor(1.0, requires_grad=True)
        for i in range(10):
            (w * 2).backward()
        for i in range(10):
            (w.sin() * 2).exp().backward()
    """)
    full = [s for s in result.snapshots if s["detail"] == "full"]
    assert any(any(n["name"] == "ExpBackward0" for n in s["nodes"]) for s in full)
    assert result.snapshots[-1]["index"] == 20


def test_a_steady_loop_whose_graph_changes_at_the_same_call_is_captured_again(tmp_path):
    # The same backward() line and output node kind throughout: only the periodic structure
    # check of a steady loop can see the change (the loop's end is not foreseen).
    result = run_script(tmp_path, """
        import torch
        w = torch.tensor(1.0, requires_grad=True)
        for i in list(range(200)):
            h = w * 3 if i < 100 else w.sin() * 3
            (h * 2).backward()
    """)
    full = [s for s in result.snapshots if s["detail"] == "full"]
    changed = [s for s in full if any(n["name"] == "SinBackward0" for n in s["nodes"])]
    assert changed and 100 < changed[0]["index"] <= 140
    assert all(s["index"] <= 100 for s in full if s not in changed)


def test_a_steady_loops_structure_checks_space_out_while_its_graph_stays_the_same(tmp_path):
    # Each check walks the graph; a loop of small steps pays for it (and for the cold code it
    # leaves behind) at every check, so unchanged checks come ever further apart.
    result = run_script(tmp_path, """
        import torch
        import gradlens.capture as capture
        walked = []
        structure = capture.structure
        def counted(roots):
            walked.append(len(walked))
            return structure(roots)
        capture.structure = counted
        w = torch.tensor(1.0, requires_grad=True)
        for i in list(range(600)):
            (w.sin() * 2).backward()
        print(len(walked))
    """)
    walks = int(result.stdout.split("\n")[0])
    assert 3 <= walks <= 7  # 32, 64, 128, 256, 512 (every 32 steps: 18)


def test_stop_after_inside_while_true(tmp_path):
    path = write(tmp_path, "forever.py", """
        import torch
        w = torch.tensor(1.0, requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1)
        step = 0
        while True:
            step += 1
            opt.zero_grad()
            loss = (w - 3) ** 2
            loss.backward()
            opt.step()
            if step == 5:
                print("stop target reached")
    """)
    result = host.run(path, captureAt=1, stopAfter={"file": path, "line": 10})
    check_all(result)
    assert result.returncode == 0
    assert result.done["backwardCount"] == 1
    [snap] = result.snapshots
    assert snap["index"] == 1 and snap["detail"] == "full"
    out = [n for n in snap["nodes"] if n["kind"] == "output"][0]
    assert out["location"]["line"] == 10 and out["name"] == "loss"
    assert "stop target" not in result.stdout
    # stopAfter by a path relative to the cwd, after a few steps under "all".
    result = host.run(path, captureAt="all", stopAfter={"file": "forever.py", "line": 10})
    assert result.done["backwardCount"] == 1


def test_metrics_are_thinned_when_steps_come_fast(tmp_path):
    result = run_script(tmp_path, """
        import torch
        w = torch.tensor(1.0, requires_grad=True)
        for i in range(6000):
            (w * 2).backward()
    """)
    batches = result.of("train/metrics")
    assert all(len(host.metric_rows(b)) <= 1000 for b in batches)
    strides = [b.get("stride", 1) for b in batches]
    assert max(strides) >= 2
    for b in batches:
        stride = b.get("stride", 1)
        assert all(m["step"] % stride == 0 for m in host.metric_rows(b))
    steps = [m["step"] for m in result.metrics]
    assert steps == sorted(steps) and steps[-1] == 6000
    assert result.done["backwardCount"] == 6000


def test_capture_request_captures_the_next_backward(tmp_path):
    path = write(tmp_path, "slow.py", """
        import time
        import torch
        w = torch.tensor(1.0, requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.01)
        for i in range(10):
            opt.zero_grad()
            (w * 3).backward()
            opt.step()
            if i == 4:
                time.sleep(1.5)
    """)
    r = host.Runner()
    try:
        r.hello()
        r.start(path, captureAt=1)
        while True:
            m = r.read_message()
            if m["type"] == "train/metrics" and host.metric_rows(m)[-1]["step"] == 5:
                break
        r.send({"type": "capture/request"})
        result = r.collect()
    finally:
        r.kill()
    check_all(result)
    snaps = result.snapshots
    assert [s["index"] for s in snaps] == [1, 6]
    # The request was taken at zero_grad(), before step 6's forward.
    assert snaps[1]["detail"] == "full"
    assert leaves(snaps[1])["w"]["grad"]["first"] == [3.0]
