"""How a run ends: errors, exit codes, the script's environment, and what it cannot break."""
import os
import subprocess
import sys

import host
from contract import check_all
from helpers import run_script, write


def test_syntax_error(tmp_path):
    result = run_script(tmp_path, "import torch\nx = (1,\ny = 2 +\n")
    assert result.returncode == 1
    [error] = result.errors
    assert error["kind"] == "syntax" and error["message"].startswith("SyntaxError: ")
    assert error["location"]["file"] == os.path.join(str(tmp_path), "script.py")
    assert error["location"]["line"] in (2, 3) and error["location"]["column"] >= 1
    assert result.done["backwardCount"] == 0


def test_exception_backward_twice(tmp_path):
    result = run_script(tmp_path, """
        import torch

        def train():
            a = torch.tensor(2.0, requires_grad=True)
            loss = (a * a).sin()
            loss.backward()
            loss.backward()

        train()
    """)
    assert result.returncode == 1
    [error] = result.errors
    assert error["kind"] == "exception"
    assert error["message"].startswith("RuntimeError: Trying to backward through the graph a second time")
    path = os.path.join(str(tmp_path), "script.py")
    assert error["location"] == {"file": path, "line": 8, "column": 5}
    stack = error["stack"]
    assert stack.startswith("Traceback (most recent call last):")
    assert f'File "{path}", line 10, in <module>' in stack and "line 8, in train" in stack
    assert "gradlens" not in stack and "runpy" not in stack
    assert len(result.snapshots) == 1  # the first backward was captured
    assert result.done["backwardCount"] == 2


def test_system_exit_codes(tmp_path):
    body = "import torch, sys\na = torch.tensor(1.0, requires_grad=True)\n(a * 2).backward()\n"
    assert run_script(tmp_path, body + "sys.exit(3)\n").returncode == 3
    zero = run_script(tmp_path, body + "sys.exit(0)\n")
    assert zero.returncode == 0 and zero.errors == []
    text = run_script(tmp_path, body + "sys.exit('bad input')\n")
    assert text.returncode == 1 and "bad input" in text.stderr and text.errors == []
    # A script that fails with exit code 2 before any backward is not a no-backward run.
    early = run_script(tmp_path, "import sys\nsys.exit(2)\n")
    assert early.returncode == 2 and early.errors == []


def test_no_backward(tmp_path):
    result = run_script(tmp_path, "import torch\nprint(torch.ones(2).sum().item())\n")
    assert result.returncode == 0 and "2.0" in result.stdout
    [error] = result.errors
    assert error == {"kind": "no-backward", "message": "the script never called backward() or autograd.grad(), so there is no autograd graph to show", "stack": None, "location": None}


def test_argv_cwd_and_import_path(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    write(tmp_path, "helper.py", "VALUE = 41\n")
    result = run_script(tmp_path, """
        import os, sys
        import torch
        import helper
        print("argv", sys.argv)
        print("cwd", os.getcwd())
        print("name", __name__, helper.VALUE + 1)
        print("channel env", "GRADLENS_CHANNEL" in os.environ)
        a = torch.tensor(1.0, requires_grad=True)
        (a * 2).backward()
    """, cwd=str(work), args=["--lr", "0.1", "two words"])
    script = os.path.join(str(tmp_path), "script.py")
    assert f"argv {[script, '--lr', '0.1', 'two words']}" in result.stdout
    assert f"cwd {work}" in result.stdout
    assert "name __main__ 42" in result.stdout
    assert "channel env False" in result.stdout


def test_the_runner_leaves_torch_as_plain_python_has_it(tmp_path):
    """The runner's warm-up before the script draws no random numbers and changes no
    setting: the generator is where its seed left it, the settings are plain python's."""
    source = """
        import torch
        seed = torch.initial_seed()
        first = torch.rand(3).tolist()
        torch.manual_seed(seed)
        print("untouched generator", first == torch.rand(3).tolist())
        print("settings", torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_num_threads())
        a = torch.tensor(1.0, requires_grad=True)
        (a * 2).backward()
    """
    result = run_script(tmp_path, source)
    plain = subprocess.run([sys.executable, os.path.join(str(tmp_path), "script.py")], capture_output=True, text=True, check=True)
    assert plain.stdout.splitlines()[0] == "untouched generator True"
    assert result.stdout.splitlines() == plain.stdout.splitlines()


def test_the_warm_up_leaves_no_function_mode_or_module_hook_behind():
    # It records a forward as a full capture does, which pushes a function mode and
    # registers global module hooks: a script must find neither.
    code = """
import torch
import torch.nn.modules.module as m
from gradlens.warmup import warm_up
from gradlens.recorder import _current_mode
warm_up()
print(_current_mode() is None, len(m._global_forward_hooks), len(m._global_forward_pre_hooks))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": host.PYTHON_DIR})
    assert out.stdout.split() == ["True", "0", "0"]


def test_torch_missing():
    r = host.Runner(python_args=["-S"])
    try:
        hello = r.hello()
        assert hello["runtime"]["torch"] is None
        r.start(os.path.join(host.EXAMPLES, "retain_grad.py"))
        result = r.collect()
    finally:
        r.kill()
    check_all(result)
    assert result.returncode == 1
    [error] = result.errors
    assert error["kind"] == "launch"
    assert error["message"].startswith("torch is not importable by /usr/bin/python3 (ModuleNotFoundError: No module named 'torch')")
    assert error["message"].endswith("(CLI: --python PATH; VS Code: setting gradlens.python.path)")
    assert result.done["backwardCount"] == 0


def test_script_writing_to_fd3_gets_ebadf(tmp_path):
    result = run_script(tmp_path, """
        import errno, os
        import torch
        for fd in (3, 4):
            try:
                os.write(fd, b"\\x1eGL1 {\\"type\\":\\"run/done\\"}\\ngarbage\\n")
                print("wrote", fd)
            except OSError as e:
                print("errno", fd, errno.errorcode[e.errno])
        a = torch.tensor(1.0, requires_grad=True)
        (a * 2).backward()
    """)
    assert "errno 3 EBADF" in result.stdout and "errno 4 EBADF" in result.stdout
    assert len(result.snapshots) == 1 and result.done["backwardCount"] == 1


def test_forked_child_writes_nothing(tmp_path):
    result = run_script(tmp_path, """
        import os
        import torch
        a = torch.tensor(1.0, requires_grad=True)
        pid = os.fork()
        if pid == 0:
            (a * 5).backward()  # the child captures too, but must not write
            print("child", a.grad.item(), flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
        (a * 2).backward()
        print("parent", a.grad.item())
    """)
    assert "child 5.0" in result.stdout and "parent 2.0" in result.stdout
    assert len(result.snapshots) == 1
    assert result.metrics and all(m["gradNorms"]["a"] == 2.0 for m in result.metrics)
    assert result.done["backwardCount"] == 1


def test_nan_anomaly_names_the_op(tmp_path):
    result = run_script(tmp_path, """
        import torch
        x = torch.tensor([1.0, -1.0], requires_grad=True)
        y = x.log()
        loss = (y * 2).sum()
        loss.backward()
    """)
    [snap] = result.snapshots
    path = os.path.join(str(tmp_path), "script.py")
    value = [a for a in snap["anomalies"] if a["where"] == "value"]
    assert value and value[0]["kind"] == "nan"
    assert value[0]["message"] == f"LogBackward0 at {path}:4:5 is the first op that produced NaN"
    node = [n for n in snap["nodes"] if n["id"] == value[0]["nodeId"]][0]
    assert node["name"] == "LogBackward0" and node["value"]["nanCount"] == 1
    assert result.metrics[0]["loss"] == "NaN"


def test_mask_inf_is_not_an_anomaly_but_a_later_inf_is(tmp_path):
    result = run_script(tmp_path, """
        import torch
        scores = torch.randn(3, 3, requires_grad=True)
        future = torch.ones(3, 3).tril() == 0
        weights = scores.masked_fill(future, float("-inf")).softmax(-1)
        logs = weights.log()
        logs.masked_fill(future, 0).sum().backward()
    """)
    [snap] = result.snapshots
    path = os.path.join(str(tmp_path), "script.py")
    value = [a["message"] for a in snap["anomalies"] if a["where"] == "value"]
    assert value == [f"LogBackward0 at {path}:6:8 is the first op that produced Inf"]


def test_nan_later_in_a_loop_is_captured(tmp_path):
    result = run_script(tmp_path, """
        import torch
        w = torch.tensor(1.0, requires_grad=True)
        for i in range(40):
            scale = -1.0 if i >= 30 else 1.0
            loss = (w * scale).sqrt() * 2
            loss.backward()
    """)
    flagged = [s for s in result.snapshots if s["anomalies"]]
    # The first NaN loss is captured at once (only the output is known to be NaN then);
    # the next step is recorded op by op and names the op.
    assert [s["index"] for s in flagged[:2]] == [31, 32]
    assert flagged[0]["anomalies"][0]["message"] == "the output is NaN"
    assert any("SqrtBackward0" in a["message"] and "first op that produced NaN" in a["message"] for a in flagged[1]["anomalies"])


def test_bad_host_message_is_reported():
    r = host.Runner()
    try:
        r.hello()
        r.send({"type": "run/start", "protocol": 1, "options": {"script": 3}})
        error = r.read_message()
        assert error["type"] == "run/error" and error["error"]["kind"] == "protocol"
        assert "message.options.script" in error["error"]["message"]
    finally:
        r.kill()


def test_host_gone_ends_the_runner():
    r = host.Runner()
    try:
        r.hello()
        os.close(r.write_fd)
        assert r.proc.wait(timeout=60) == 70
    finally:
        r.kill()
        os.close(r.read_fd)


def test_graph_over_the_node_cap_is_reported_not_captured(tmp_path):
    # One nn.LSTM call over 16,000 steps: about 208,000 nodes (13 a step), past the 200,000
    # the tracer captures. The script runs to its end; the run says why there is no graph.
    # Without oneDNN: torch 2.x's CPU LSTM is otherwise one MkldnnRnnLayerBackward0 node.
    result = run_script(tmp_path, """
        import torch
        torch.manual_seed(0)
        lstm = torch.nn.LSTM(1, 1)
        with torch.backends.mkldnn.flags(enabled=False):
            out, _ = lstm(torch.ones(16_000, 1, 1))
        out.sum().backward()
        print("grad", tuple(lstm.weight_ih_l0.grad.shape))
    """, maxNodes=50000)
    assert result.returncode == 0 and "grad (4, 1)" in result.stdout
    assert result.snapshots == []
    # Not an error: the run went on, and the host says so calmly.
    assert result.errors == []
    [notice] = result.notices
    assert notice["kind"] == "graph-too-large"
    assert notice["message"].startswith("the graph of backward() #1 has more than 200,000 nodes and was not captured;")
    assert result.done["backwardCount"] == 1


def test_past_the_cap_ops_are_no_longer_recorded(tmp_path):
    # A cap of 300 nodes (lowered by the script) and chains of 500 ops through a module: the
    # recorder stops at the cap, later graphs of that size are not recorded at all, and the
    # run says so once. A small graph after them is captured again.
    result = run_script(tmp_path, """
        import torch
        import gradlens.graph
        gradlens.graph.MAX_WALK = 300
        step = torch.nn.Linear(2, 2)

        def chain(n):
            h = torch.ones(1, 2)
            outs = []
            for _ in range(n):
                h = step(h).tanh()
                outs.append("gradlens" in h.grad_fn.metadata)
            return h, outs

        h, first = chain(250)
        print("first", first.index(False), all(not r for r in first[first.index(False):]))
        h.sum().backward()
        h, second = chain(250)
        print("second", any(second))
        h.sum().backward()
        small, _ = chain(3)
        small.sum().backward()
    """)
    assert result.returncode == 0, result.stderr
    # 3 nodes a step (AddmmBackward0, TBackward0, TanhBackward0): step 100's tanh is past 300.
    assert result.stdout.split() == ["first", "100", "True", "second", "False"]
    assert result.errors == []
    [notice] = result.notices
    assert notice["message"].startswith("the graph of backward() #1 has more than 300 nodes and was not captured;")
    assert [s["index"] for s in result.snapshots] == [3]
    assert result.done["backwardCount"] == 3
