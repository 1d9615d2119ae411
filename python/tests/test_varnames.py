"""Intermediate tensors named after the variables holding them at capture time, as
agtree2dot's labels dict names them: the tracer run for real on PyTorch scripts."""
import os

import host
from helpers import by_id, functions, run_script


def _root(snap):
    [out] = [n for n in snap["nodes"] if n["kind"] == "output"]
    return by_id(snap)[out["attachedTo"]]


def _input(snap, node, slot):
    return by_id(snap)[node["next"][slot]["id"]]


def test_the_qp_seed_names_q_on_its_subtraction_and_p_on_its_square():
    result = host.run(os.path.join(host.EXAMPLES, "retain_grad.py"))
    assert result.returncode == 0
    [snap] = result.snapshots
    pow_ = _root(snap)
    assert (pow_["name"], pow_.get("varName")) == ("PowBackward0", "P")
    sub = _input(snap, pow_, 0)
    assert (sub["name"], sub.get("varName")) == ("SubBackward0", "Q")
    # a**3 and 3*b were never held by a variable.
    assert [_input(snap, sub, k).get("varName") for k in (0, 1)] == [None, None]


def test_a_name_reassigned_in_a_loop_or_shadowed_names_only_the_tensor_it_holds(tmp_path):
    result = run_script(tmp_path, """
        import torch
        a = torch.tensor(2.0, requires_grad=True)
        h = a
        for _ in range(3):
            h = h * a
        y = h + 1
        y = (y * 2).tanh()
        total = y.sum()
        total.backward()
    """)
    [snap] = result.snapshots
    total = _root(snap)
    assert (total["name"], total.get("varName")) == ("SumBackward0", "total")
    tanh = _input(snap, total, 0)
    assert (tanh["name"], tanh.get("varName")) == ("TanhBackward0", "y")
    mul2 = _input(snap, tanh, 0)
    first_y = _input(snap, mul2, 0)
    assert (first_y["name"], first_y.get("varName")) == ("AddBackward0", None)
    muls = []
    n = _input(snap, first_y, 0)
    while n["name"] == "MulBackward0":
        muls.append(n.get("varName"))
        n = _input(snap, n, 0)
    assert muls == ["h", None, None]  # h holds the last product only
    assert [f.get("varName") for f in functions(snap) if f.get("varName")] == ["total", "y", "h"]


def test_the_frame_that_called_backward_names_first(tmp_path):
    result = run_script(tmp_path, """
        import torch
        a = torch.tensor(2.0, requires_grad=True)

        def step(x):
            out = x * 3
            out.backward()

        h = a
        for _ in range(3):
            h = h * a
        step(h)
    """)
    [snap] = result.snapshots
    out = _root(snap)
    assert (out["name"], out.get("varName")) == ("MulBackward0", "out")
    muls = []
    n = _input(snap, out, 0)
    while n["name"] == "MulBackward0":
        muls.append(n.get("varName"))
        n = _input(snap, n, 0)
    # The last product is `x` in step() and `h` outside: the innermost frame's name wins.
    assert muls == ["x", None, None]


def test_ipython_output_history_names_nothing():
    import sys

    import torch

    sys.path.insert(0, host.PYTHON_DIR)
    from gradlens.graph import walk
    from gradlens.varnames import names_by_node

    a = torch.tensor(2.0, requires_grad=True)
    doubled = a * 2
    out = doubled.exp()
    _, index, _c = walk([out])
    named = names_by_node([("_", out), ("_7", doubled), ("out", out), ("doubled", doubled)], index)
    assert named == {index[out.grad_fn]: "out", index[doubled.grad_fn]: "doubled"}
