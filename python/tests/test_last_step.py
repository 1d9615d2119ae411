"""A training loop's last backward() is the graph shown by default: when the loops around it
say how many passes are left (range(...) of plain values), it is captured in full, with its
values and backward flow; when they cannot say (a while loop, a loop over a DataLoader,
backward() more than once a pass), it is rebuilt at the end as a light capture."""
from helpers import leaves, run_script

LOOP = """
import argparse
import torch
from torch import nn
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 4), nn.Tanh(), nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
x = torch.linspace(-1, 1, 8).unsqueeze(1)
y = x.sin()

def step():
    opt.zero_grad()
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    opt.step()

{loop}
"""


def captured(loop: str, tmp_path) -> list:
    result = run_script(tmp_path, LOOP.format(loop=loop))
    assert result.returncode == 0, result.stderr
    assert result.errors == [] and result.notices == []
    return [(s["index"], s["detail"], s.get("flowRecorded", False)) for s in result.snapshots]


def test_the_last_pass_of_a_range_loop_is_captured_with_its_flow(tmp_path):
    assert captured("for i in range(1, 2 * 10 + 1):\n    step()", tmp_path) == [(1, "full", True), (20, "full", True)]


def test_nested_range_loops_and_argparse_counts_are_foreseen(tmp_path):
    loop = """
args = argparse.Namespace(epochs=3)
batches = [0, 1, 2, 3]
for epoch in range(args.epochs):
    for b in range(len(batches)):
        step()
"""
    assert captured(loop, tmp_path) == [(1, "full", True), (12, "full", True)]


def test_a_while_loop_cannot_be_foreseen_and_its_last_step_is_light(tmp_path):
    loop = """
n = 0
while n < 15:
    step()
    n += 1
"""
    result = run_script(tmp_path, LOOP.format(loop=loop))
    assert [(s["index"], s["detail"], s.get("flowRecorded", False)) for s in result.snapshots] == [(1, "full", True), (15, "light", False)]
    # The light rebuild keeps what the full capture learned about each node.
    assert all(n["location"] is not None for n in result.snapshots[-1]["nodes"] if n["kind"] == "function")


def test_a_loop_left_early_ends_with_the_rebuilt_last_step(tmp_path):
    loop = """
for i in range(30):
    step()
    if i == 9:
        break
"""
    assert captured(loop, tmp_path) == [(1, "full", True), (10, "light", False)]


def test_a_count_read_through_a_call_is_not_evaluated(tmp_path):
    # Reading the count must not run the script's code: `count()` would print.
    loop = """
def count():
    print("called")
    return 12

for i in range(count()):
    step()
"""
    result = run_script(tmp_path, LOOP.format(loop=loop))
    assert result.stdout.count("called") == 1
    assert [(s["index"], s["detail"]) for s in result.snapshots] == [(1, "full"), (12, "light")]


def test_two_backward_calls_a_pass_are_not_taken_for_one(tmp_path):
    loop = """
for i in range(10):
    step()
    step()
"""
    assert captured(loop, tmp_path) == [(1, "full", True), (20, "light", False)]


def test_a_foreseen_loop_left_early_is_rebuilt_with_its_last_gradients(tmp_path):
    loop = """
for i in range(50):
    step()
    if i == 9:
        break
"""
    result = run_script(tmp_path, LOOP.format(loop=loop))
    assert [(s["index"], s["detail"]) for s in result.snapshots] == [(1, "full"), (10, "light")]
    # Its steps kept no gradients (the last one was foreseen): the leaves' own, as no
    # zero_grad() ran after the last backward().
    grads = {name: n["grad"] for name, n in leaves(result.snapshots[-1]).items()}
    assert set(grads) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert all(g is not None for g in grads.values())
