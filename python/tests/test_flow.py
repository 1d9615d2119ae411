"""The backward pass's flow (NodeFlow), checked against the chain rule done by hand and
against PyTorch's own gradients."""
import os

import host
from contract import check_all
from helpers import by_id, leaves, run_script


def _values(summary):
    return None if summary is None else summary["values"]


def _flows(snapshot):
    """name -> flows of the nodes with that name, in execution order."""
    out = {}
    for n in sorted((n for n in snapshot["nodes"] if "flow" in n), key=lambda n: n["flow"]["order"]):
        out.setdefault(n["name"], []).append(n)
    return out


def test_seed_q_p_flow_is_the_chain_rule():
    # examples/python/retain_grad.py: a = 2, b = 8, Q = a**3 - 3*b, P = Q**2.
    result = host.run(os.path.join(host.EXAMPLES, "retain_grad.py"))
    check_all(result)
    [snap] = result.snapshots
    assert snap["flowRecorded"] is True
    nodes = by_id(snap)
    p, sub, cube, mul = (nodes[f"n{i}"]["flow"] for i in range(4))
    assert [nodes[f"n{i}"]["name"] for i in range(4)] == ["PowBackward0", "SubBackward0", "PowBackward0", "MulBackward0"]
    # dP/dP = 1 arrives at P's PowBackward0, which sends 2Q = -32 to Q.
    assert (p["order"], _values(p["gradOutputs"][0]), [_values(g) for g in p["gradInputs"]]) == (0, [1.0], [[-32.0]])
    # Q = a**3 - 3b: the subtraction passes -32 on to a**3 and +32 to 3b.
    assert (sub["order"], _values(sub["gradOutputs"][0]), [_values(g) for g in sub["gradInputs"]]) == (1, [-32.0], [[-32.0], [32.0]])
    # a**3: -32 * 3a^2 = -384 to a; 3*b: 32 * 3 = 96 to b (and nothing to the constant).
    assert [_values(g) for g in cube["gradInputs"]] == [[-384.0]]
    assert [_values(g) for g in mul["gradInputs"]] == [[96.0], None]
    assert p["gradInputs"][0]["norm"] == 32.0
    acc_a, acc_b = nodes["n4"]["flow"], nodes["n5"]["flow"]
    assert (acc_a["gradInputs"], _values(acc_a["gradOutputs"][0]), acc_a["gradBefore"], _values(acc_a["gradAfter"])) == ([], [-384.0], None, [-384.0])
    assert (_values(acc_b["gradOutputs"][0]), _values(acc_b["gradAfter"])) == ([96.0], [96.0])
    assert leaves(snap)["a"]["grad"]["first"] == [-384.0] and leaves(snap)["b"]["grad"]["first"] == [96.0]
    # Every node ran once, each in its own place of the order.
    assert sorted(n["flow"]["order"] for n in snap["nodes"] if "flow" in n) == list(range(6))
    assert nodes["n1"]["grad"]["first"] == [-32.0]


def test_fan_in_sums_at_the_leaf(tmp_path):
    result = run_script(tmp_path, """
        import torch
        a = torch.tensor(3.0, requires_grad=True)
        y = a * 4 + a ** 2
        y.backward()
        print(a.grad.item())
    """)
    assert result.stdout.split() == ["10.0"]
    [snap] = result.snapshots
    flows = _flows(snap)
    [mul], [power] = flows["MulBackward0"], flows["PowBackward0"]
    # a reaches y twice: 4 through a*4 and 2a = 6 through a**2; AccumulateGrad gets the sum.
    assert _values(mul["flow"]["gradInputs"][0]) == [4.0] and _values(power["flow"]["gradInputs"][0]) == [6.0]
    [acc] = flows["torch::autograd::AccumulateGrad"]
    assert _values(acc["flow"]["gradOutputs"][0]) == [10.0]
    assert acc["flow"]["order"] > max(mul["flow"]["order"], power["flow"]["order"])


def test_grad_before_and_after_accumulation(tmp_path):
    result = run_script(tmp_path, """
        import torch
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        (w * 2).sum().backward()
        (w * 3).sum().backward()
    """, captureAt="all")
    second = result.snapshots[1]
    [acc] = _flows(second)["torch::autograd::AccumulateGrad"]
    assert _values(acc["flow"]["gradBefore"]) == [2.0, 2.0]
    assert _values(acc["flow"]["gradAfter"]) == [5.0, 5.0]


def test_autograd_grad_runs_no_accumulate_grad(tmp_path):
    result = run_script(tmp_path, """
        import torch
        x = torch.tensor(2.0, requires_grad=True)
        (g,) = torch.autograd.grad(x ** 3, x)
    """)
    [snap] = result.snapshots
    flows = _flows(snap)
    assert "torch::autograd::AccumulateGrad" not in flows
    assert _values(flows["PowBackward0"][0]["flow"]["gradInputs"][0]) == [12.0]


def test_flow_policy(tmp_path):
    small = "import torch\nx = torch.ones(3, requires_grad=True)\n(x * 2).sum().backward()\n"
    never = run_script(tmp_path, small, flow="never")
    assert "flowRecorded" not in never.snapshots[0]
    assert not any("flow" in n for n in never.snapshots[0]["nodes"])
    # "auto" stops at 2,000 nodes; "always" does not.
    big = "import torch\nx = torch.ones(100, requires_grad=True)\nh = x\nfor _ in range(2100):\n    h = h * 1.0\nh.sum().backward()\n"
    auto = run_script(tmp_path, big, maxNodes=50000)
    assert "flowRecorded" not in auto.snapshots[0]
    always = run_script(tmp_path, big, flow="always", maxNodes=50000)
    assert always.snapshots[0]["flowRecorded"] is True
    flowed = [n["flow"] for n in always.snapshots[0]["nodes"] if "flow" in n]
    assert len(flowed) == 2102  # 2,100 MulBackward0, SumBackward0, AccumulateGrad
    # Gradients of more than 64 elements are summarized, not listed.
    sent = [g for f in flowed for g in f["gradInputs"] if g is not None]
    assert all("values" not in g and g["norm"] == 10.0 for g in sent)


def test_bad_flow_policy_is_rejected(tmp_path):
    r = host.Runner()
    try:
        r.hello()
        r.start(str(tmp_path / "script.py"), flow="sometimes")
        error = r.read_message()
        assert error["type"] == "run/error" and error["error"]["kind"] == "protocol"
        assert "message.options.flow" in error["error"]["message"]
    finally:
        r.kill()


def test_a_loop_keeps_no_hook_holder_on_its_parameters(tmp_path):
    # A parameter's AccumulateGrad node is reused by every later step's graph; PyTorch keeps a
    # hooked node's Python hook holder after the hook is removed (each backward() would then
    # call into Python for it). Node.register_hook hands an existing holder's dict to
    # Function._register_hook: None means the node has none.
    result = run_script(tmp_path, """
        import torch
        from torch import nn
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        x = torch.randn(4, 2)
        for _ in range(3):
            opt.zero_grad()
            loss = model(x).pow(2).mean()
            loss.backward()
            opt.step()
        held = []
        register = torch.autograd.Function._register_hook
        def spy(backward_hooks, hook):
            held.append(backward_hooks is not None)
            return register(backward_hooks, hook)
        torch.autograd.Function._register_hook = staticmethod(spy)
        out = model(x).pow(2).mean()
        stack, seen = [out.grad_fn], set()
        while stack:
            n = stack.pop()
            if n is None or n in seen:
                continue
            seen.add(n)
            stack.extend(f for f, _ in n.next_functions)
            if type(n).__name__ == "AccumulateGrad":
                n.register_hook(lambda *_: None).remove()
        print(held)
    """)
    assert result.stdout.split("\n")[0] == "[False, False, False, False]"
    # The loop's first and last steps were captured with their flow, AccumulateGrad's included.
    first, last = result.snapshots[0], result.snapshots[-1]
    for snap in (first, last):
        accs = [n for n in snap["nodes"] if n["kind"] == "accumulate"]
        assert len(accs) == 4 and all(n["flow"]["gradOutputs"][0] is not None for n in accs)
        assert sorted(n["flow"]["order"] for n in snap["nodes"] if "flow" in n) == list(range(len([n for n in snap["nodes"] if "flow" in n])))


def test_backward_toward_given_inputs_runs_only_their_accumulate_grad(tmp_path):
    result = run_script(tmp_path, """
        import torch
        a = torch.tensor(2.0, requires_grad=True)
        b = torch.tensor(5.0, requires_grad=True)
        torch.autograd.backward([a * b], inputs=[a])
        print(a.grad.item(), b.grad)
    """)
    assert result.stdout.split() == ["5.0", "None"]
    [snap] = result.snapshots
    leaf_of = {n["attachedTo"]: n["name"] for n in snap["nodes"] if n["kind"] == "leaf"}
    flows = {leaf_of[n["id"]]: n.get("flow") for n in snap["nodes"] if n["kind"] == "accumulate"}
    assert flows["b"] is None
    assert _values(flows["a"]["gradOutputs"][0]) == [5.0] and _values(flows["a"]["gradAfter"]) == [5.0]
